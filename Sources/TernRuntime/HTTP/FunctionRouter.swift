import TernHTTP
import TernProxyWasm

/// The functions listener: routes each request to a function and answers
/// with what the function made of it.
///
/// Runs on the HTTP event loops, where it only routes and hands the
/// request to the runtime, which answers from a worker thread.
public struct FunctionRouter: HTTPHandler {
    public let runtime: FunctionRuntime

    public init(runtime: FunctionRuntime) {
        self.runtime = runtime
    }

    /// The Layotto-compatible routing header.
    public static let routingHeader = "id"
    /// The routing path prefix: `/functions/{id}/rest/of/path`.
    public static let pathPrefix = "/functions/"

    public func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        guard let route = FunctionRouter.route(request) else {
            return respond(.jsonError("no function named: send the header '\(FunctionRouter.routingHeader): FUNCTION' "
                                      + "or request \(FunctionRouter.pathPrefix)FUNCTION/...",
                                      status: 404, kind: "no_route"))
        }
        let functionRequest = FunctionRequest(method: request.method.rawValue, path: route.path,
                                              query: request.query ?? "",
                                              headers: request.headers.map { ($0.name, $0.value) },
                                              body: request.body, trailers: request.trailers.map { ($0.name, $0.value) })
        runtime.serve(functionRequest, functionID: route.functionID) { result in
            respond(FunctionRouter.httpResponse(result, function: route.functionID))
        }
    }

    /// The function a request is for, and the path the function sees:
    /// with the `id` header, the request's path; with a `/functions/{id}`
    /// path, what follows the id (`/` when nothing does).
    static func route(_ request: HTTPRequest) -> (functionID: String, path: String)? {
        let path = request.path
        if let id = request.headers[routingHeader] { return (id, path) }
        guard path.hasPrefix(pathPrefix) else { return nil }
        let rest = path.dropFirst(pathPrefix.count)
        let id = rest.prefix { $0 != "/" }
        guard !id.isEmpty else { return nil }
        let remainder = rest.dropFirst(id.count)
        return (String(id), remainder.isEmpty ? "/" : String(remainder))
    }

    /// The HTTP answer for a function's result. A response that cannot be
    /// sent as given (a 1xx status, a header with a line break) becomes a
    /// 502 naming the problem, rather than a connection error.
    static func httpResponse(_ result: Result<FunctionResponse, FunctionFailure>, function: String) -> HTTPResponse {
        switch result {
        case .failure(let failure):
            return .json(failure.json, status: failure.httpStatus)
        case .success(let response):
            let converted = HTTPResponse(status: HTTPStatus(code: response.status),
                                         headers: HTTPHeaders(response.headers.map { HTTPField(name: $0.0, value: $0.1) }),
                                         body: response.body)
            do {
                // Checking the head alone: the body needs no validation.
                var head = converted
                head.body = []
                _ = try HTTPResponseSerializer.serialize(head, context: .init(requestMethod: .get, requestVersion: .http1_1,
                                                                              keepAlive: true))
                return converted
            } catch {
                let failure = FunctionFailure.invalidResponse(function: function, reason: error.description)
                return .json(failure.json, status: failure.httpStatus)
            }
        }
    }
}
