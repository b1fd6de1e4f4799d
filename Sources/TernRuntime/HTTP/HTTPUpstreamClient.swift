import TernHTTP
import TernProxyWasm

/// `proxy_http_call` to servers outside Tern: only the upstreams named in
/// the configuration (name -> `HOST:PORT`) are reachable; any other name is
/// taken for a function id.
struct HTTPUpstreamClient: UpstreamClient {
    let upstreams: [String: ListenAddress]
    private let client = HTTPClient()

    init(upstreams: [String: ListenAddress]) {
        self.upstreams = upstreams
    }

    func allows(upstream: String) -> Bool { upstreams[upstream] != nil }

    func send(upstream: String, request: FunctionRequest, timeout: Duration?) throws(UpstreamError) -> FunctionResponse {
        guard let address = upstreams[upstream] else { throw .failed("unknown upstream '\(upstream)'") }
        let headers = HTTPHeaders(request.headers.map { HTTPField(name: $0.0, value: $0.1) })
        let response: HTTPResponse
        do {
            response = try client.send(HTTPMethod(rawValue: request.method), host: address.host, port: address.port,
                                       path: request.target, headers: headers, body: request.body, timeout: timeout)
        } catch .timedOut {
            throw .timedOut
        } catch {
            throw .failed("upstream \(upstream) (\(address)): \(error)")
        }
        return FunctionResponse(status: response.status.code, headers: response.headers.map { ($0.name, $0.value) },
                                body: response.body)
    }
}
