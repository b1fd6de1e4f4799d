import Foundation
import TernHTTP

extension HTTPResponse {
    /// A JSON answer (with a trailing newline, for terminals).
    static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: HTTPStatus(code: status, reasonPhrase: HTTPResponse.extraReasonPhrases[status]),
                     headers: ["Content-Type": "application/json"], body: value.serializedBytes + [UInt8(ascii: "\n")])
    }

    /// Phrases of statuses Tern sends that `HTTPStatus` does not know.
    private static let extraReasonPhrases = [508: "Loop Detected"]

    /// `{"error": message, ...}`.
    static func jsonError(_ message: String, status: Int, kind: String) -> HTTPResponse {
        json(["error": .string(message), "kind": .string(kind)], status: status)
    }
}

/// The parameters of a query string (`a=1&b=x%20y`), decoded, in order.
enum QueryParameters {
    static func parse(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let name = pair.prefix { $0 != "=" }
            let value = pair.dropFirst(name.count + 1)
            return (decode(name), decode(value))
        }
    }

    /// `+` is a space in form encoding; a malformed escape is kept as is.
    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
