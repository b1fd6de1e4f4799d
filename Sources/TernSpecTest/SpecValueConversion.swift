import TernEngine
import TernFormat

extension SpecValue {
    /// The value as an argument of an `invoke`.
    func argument() throws(CommandFailure) -> Value {
        guard let text = value else { throw CommandFailure("argument of type \(type) has no value") }
        return try parse(text)
    }

    /// The value as the expectation of an `assert_return` result.
    func expectation() throws(CommandFailure) -> Expectation {
        switch (type, value) {
        // `(ref.func)`: wast2json writes no value, or an index that a script
        // cannot relate to a function of the store; any function matches.
        case ("funcref", let text) where text != "null": return .nonNullReference(.funcref)
        case ("f32", "nan:canonical"): return .canonicalNaN(.f32)
        case ("f64", "nan:canonical"): return .canonicalNaN(.f64)
        case ("f32", "nan:arithmetic"): return .arithmeticNaN(.f32)
        case ("f64", "nan:arithmetic"): return .arithmeticNaN(.f64)
        case (_, let text?): return .value(try parse(text))
        case (_, nil): throw CommandFailure("expected \(type) result has no value")
        }
    }

    private func parse(_ text: String) throws(CommandFailure) -> Value {
        func bits<T: FixedWidthInteger>(_: T.Type) throws(CommandFailure) -> T {
            guard let bits = T(text) else { throw CommandFailure("bad \(type) value \"\(text)\"") }
            return bits
        }
        switch type {
        case "i32": return .i32(try bits(UInt32.self))
        case "i64": return .i64(try bits(UInt64.self))
        case "f32": return .f32(try bits(UInt32.self))
        case "f64": return .f64(try bits(UInt64.self))
        case "funcref" where text == "null": return .funcRef(nil)
        case "externref" where text == "null": return .externRef(nil)
        case "externref": return .externRef(try bits(UInt64.self))
        default: throw CommandFailure("unsupported value \(type) \"\(text)\"")
        }
    }
}
