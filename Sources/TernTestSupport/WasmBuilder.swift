import TernFormat

/// Hand assembly of WebAssembly binaries for tests: the primitive encodings
/// of the binary format plus a few shorthands for common entries.
public enum Wasm {
    public static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]

    /// A module: the header followed by the given (already encoded) sections.
    public static func module(_ sections: [UInt8]...) -> [UInt8] {
        header + sections.joined()
    }

    public static func section(_ id: UInt8, _ contents: [UInt8]) -> [UInt8] {
        [id] + u32(contents.count) + contents
    }

    public static func section(_ id: UInt8, vector entries: [[UInt8]]) -> [UInt8] {
        section(id, vector(entries))
    }

    public static func customSection(_ name: String, _ payload: [UInt8]) -> [UInt8] {
        section(0, self.name(name) + payload)
    }

    // MARK: Primitive encodings

    /// Unsigned LEB128, minimal length unless `padTo` asks for more bytes.
    public static func unsigned(_ value: UInt64, padTo length: Int = 0) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        } while value != 0 || bytes.count < length
        bytes[bytes.count - 1] &= 0x7F
        return bytes
    }

    public static func u32(_ value: Int) -> [UInt8] { unsigned(UInt64(value)) }

    /// Signed LEB128 (minimal length).
    public static func signed(_ value: Int64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while true {
            let byte = UInt8(value & 0x7F)
            value >>= 7
            let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0)
            bytes.append(done ? byte : byte | 0x80)
            if done { return bytes }
        }
    }

    public static func name(_ string: String) -> [UInt8] {
        let utf8 = Array(string.utf8)
        return u32(utf8.count) + utf8
    }

    /// A `vec`: the count, then the concatenated entries.
    public static func vector(_ entries: [[UInt8]]) -> [UInt8] {
        u32(entries.count) + entries.joined()
    }

    // MARK: Shorthands

    public static func functionType(_ parameters: [ValueType], _ results: [ValueType]) -> [UInt8] {
        [0x60] + vector(parameters.map { [$0.rawValue] }) + vector(results.map { [$0.rawValue] })
    }

    /// `i32.const value; end`
    public static func i32Const(_ value: Int32) -> [UInt8] { [0x41] + signed(Int64(value)) + [0x0B] }

    /// A code-section entry: size, local groups, instructions (which should
    /// include the final `end`).
    public static func body(locals: [(count: Int, type: ValueType)] = [], _ instructions: [UInt8]) -> [UInt8] {
        let contents = vector(locals.map { u32($0.count) + [$0.type.rawValue] }) + instructions
        return u32(contents.count) + contents
    }

    /// A module with one `() -> ()` function whose body is `instructions`
    /// (the final `end` included).
    public static func singleFunctionModule(_ instructions: [UInt8] = [0x0B]) -> [UInt8] {
        module(
            section(1, vector: [functionType([], [])]),
            section(3, vector: [u32(0)]),
            section(10, vector: [body(instructions)]))
    }
}
