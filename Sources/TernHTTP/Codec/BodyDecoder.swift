/// How the end of a message body is found (RFC 9112 §6.3).
enum BodyFraming: Equatable {
    case empty
    case contentLength(Int)
    case chunked
    /// Responses only: the body ends when the server closes the connection.
    case untilClose
}

/// Decodes one message body incrementally from the input, enforcing the
/// body and trailer limits as bytes arrive.
struct BodyDecoder {
    private enum State {
        case fixed(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerLine
        case untilClose
        case done
    }

    private var state: State
    private let limits: HTTPLimits
    private(set) var body: [UInt8] = []
    private(set) var trailers = HTTPHeaders()
    private var trailerBytes = 0
    /// How much of the current chunk-size or trailer line has been searched
    /// for its end, so a line trickling in is not rescanned from the start.
    private var lineScanOffset = 0

    /// Chunk-size lines longer than this are refused; they are a hex number
    /// plus extensions nobody needs to be long.
    static let maxChunkSizeLineBytes = 4096

    init(framing: BodyFraming, limits: HTTPLimits) {
        self.limits = limits
        switch framing {
        case .empty: state = .done
        case .contentLength(let length):
            state = length == 0 ? .done : .fixed(remaining: length)
            // Reserve little up front: a client can announce a large body
            // on many connections without ever sending it.
            body.reserveCapacity(min(length, 64 * 1024))
        case .chunked: state = .chunkSizeLine
        case .untilClose: state = .untilClose
        }
    }

    var isComplete: Bool {
        if case .done = state { true } else { false }
    }

    /// Consumes as much of `input` as belongs to the body; returns whether
    /// the body is complete.
    mutating func decode(from input: inout InputBuffer) throws(HTTPParseError) -> Bool {
        while !input.isEmpty {
            switch state {
            case .done:
                return true
            case .fixed(let remaining):
                let length = min(remaining, input.count)
                body.append(contentsOf: input.take(length))
                state = remaining == length ? .done : .fixed(remaining: remaining - length)
            case .untilClose:
                guard input.count <= limits.maxBodyBytes - body.count else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
                body.append(contentsOf: input.take(input.count))
            case .chunkSizeLine:
                guard let lineEnd = try findLineEnd(in: input) else {
                    guard input.count <= BodyDecoder.maxChunkSizeLineBytes else { throw .malformed("chunk size line too long") }
                    return false
                }
                guard lineEnd <= BodyDecoder.maxChunkSizeLineBytes else { throw .malformed("chunk size line too long") }
                let size = try parseChunkSizeLine(input.peek(lineEnd))
                input.consume(lineEnd + 2)
                state = size == 0 ? .trailerLine : .chunkData(remaining: size)
            case .chunkData(let remaining):
                let length = min(remaining, input.count)
                body.append(contentsOf: input.take(length))
                state = remaining == length ? .chunkDataEnd : .chunkData(remaining: remaining - length)
            case .chunkDataEnd:
                guard input.count >= 2 else { return false }
                guard input[0] == .carriageReturn, input[1] == .lineFeed else { throw .malformed("chunk data not followed by CRLF") }
                input.consume(2)
                state = .chunkSizeLine
            case .trailerLine:
                guard let lineEnd = try findLineEnd(in: input) else {
                    guard input.count <= limits.maxHeaderBytes - trailerBytes else { throw .headerTooLarge(limit: limits.maxHeaderBytes) }
                    return false
                }
                trailerBytes += lineEnd + 2
                guard trailerBytes <= limits.maxHeaderBytes else { throw .headerTooLarge(limit: limits.maxHeaderBytes) }
                if lineEnd == 0 {
                    state = .done
                } else {
                    trailers.add(try MessageHeadReader.parseField(input.peek(lineEnd)))
                }
                input.consume(lineEnd + 2)
            }
        }
        return isComplete
    }

    /// The end of the line at the start of `input`, resuming the search
    /// where the last call stopped.
    private mutating func findLineEnd(in input: InputBuffer) throws(HTTPParseError) -> Int? {
        guard let lineEnd = try input.findLineEnd(from: lineScanOffset) else {
            lineScanOffset = input.count
            return nil
        }
        lineScanOffset = 0
        return lineEnd
    }

    /// The input ended (the peer closed). Completes an until-close body;
    /// any other unfinished body is truncated.
    mutating func finishAtEndOfInput() throws(HTTPParseError) {
        switch state {
        case .done: return
        case .untilClose: state = .done
        default: throw .truncated
        }
    }

    /// `chunk-size [ chunk-ext ]` (RFC 9112 §7.1). Returns the size after
    /// checking it fits the body limit, so it cannot overflow.
    private func parseChunkSizeLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        let allowance = limits.maxBodyBytes - body.count
        var size = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = line[index].hexDigitValue {
            // size * 16 + digit > allowance, written so it cannot overflow.
            guard digit <= allowance, size <= (allowance - digit) / 16 else { throw .bodyTooLarge(limit: limits.maxBodyBytes) }
            size = size * 16 + digit
            index += 1
        }
        guard index > line.startIndex else { throw .malformed("invalid chunk size") }
        try BodyDecoder.validateChunkExtensions(line[index...])
        return size
    }

    /// `chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )` with
    /// `ext-val = token / quoted-string`. Extensions are checked and ignored.
    static func validateChunkExtensions(_ extensions: ArraySlice<UInt8>) throws(HTTPParseError) {
        var rest = extensions
        func skipWhitespace() { while let byte = rest.first, byte.isHTTPWhitespace { rest.removeFirst() } }
        func token() -> Bool {
            let length = rest.prefix(while: \.isTokenCharacter).count
            rest.removeFirst(length)
            return length > 0
        }
        func quotedString() -> Bool {
            guard rest.first == UInt8(ascii: "\"") else { return false }
            rest.removeFirst()
            while let byte = rest.popFirst() {
                switch byte {
                case UInt8(ascii: "\""): return true
                case UInt8(ascii: "\\"):
                    guard let escaped = rest.popFirst(), escaped.isFieldValueCharacter else { return false }
                default:
                    guard byte.isFieldValueCharacter else { return false }
                }
            }
            return false
        }
        while !rest.isEmpty {
            skipWhitespace()
            guard rest.popFirst() == UInt8(ascii: ";") else { throw .malformed("invalid chunk extension") }
            skipWhitespace()
            guard token() else { throw .malformed("invalid chunk extension name") }
            skipWhitespace()
            if rest.first == UInt8(ascii: "=") {
                rest.removeFirst()
                skipWhitespace()
                guard token() || quotedString() else { throw .malformed("invalid chunk extension value") }
            }
        }
    }
}
