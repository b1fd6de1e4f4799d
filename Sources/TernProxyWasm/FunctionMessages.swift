/// A request to a function, independent of any transport: the HTTP layer
/// (or an invoker, for calls between functions) builds one, the runtime
/// hands it to `ProxyWasmInstance.handle`.
public struct FunctionRequest: Sendable {
    public var method: String
    /// The path without the query, e.g. `/inventory`.
    public var path: String
    /// The query string without `?`, e.g. `name=book1`; empty when none.
    public var query: String
    /// In arrival order; names as received (lookups ignore case).
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var trailers: [(String, String)]

    public init(method: String = "GET", path: String = "/", query: String = "", headers: [(String, String)] = [],
                body: [UInt8] = [], trailers: [(String, String)] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }

    /// The request a `FunctionInvoker` passes to the callee of
    /// `proxy_invoke_service` or `proxy_http_call`, from the arguments of
    /// `FunctionInvoker.invoke`: `method` (an empty one, as Layotto's demo
    /// passes, becomes `POST`), and `headers`, whose `:path` pseudo-header
    /// (when present, from `proxy_http_call`) gives the path and query and
    /// whose `:authority` becomes `host`. Other pseudo-headers are dropped.
    public init(invocationMethod method: String, headers: [(String, String)], body: [UInt8]) {
        var target = "/"
        var regularHeaders: [(String, String)] = []
        for (name, value) in headers {
            switch name {
            case ":path": target = value
            case ":authority": regularHeaders.append(("host", value))
            case _ where name.hasPrefix(":"): continue
            default: regularHeaders.append((name, value))
            }
        }
        let (path, query) = FunctionRequest.split(target: target)
        self.init(method: method.isEmpty ? "POST" : method, path: path, query: query, headers: regularHeaders,
                  body: body)
    }

    /// Splits a request target (`/a/b?x=1`) into path and query.
    public static func split(target: String) -> (path: String, query: String) {
        guard let mark = target.firstIndex(of: "?") else { return (target, "") }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// The request target: path, then `?query` when there is one.
    public var target: String { query.isEmpty ? path : path + "?" + query }
}

/// What a function answered.
public struct FunctionResponse: Sendable {
    /// 200 unless the function chose another with
    /// `proxy_send_local_response` (or a `:status` response header).
    public var status: Int
    /// Response headers, pseudo-headers removed.
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var trailers: [(String, String)]

    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = [],
                trailers: [(String, String)] = []) {
        self.status = status
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }
}
