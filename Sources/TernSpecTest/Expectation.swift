import TernEngine
import TernFormat

/// What `assert_return` expects of one result.
enum Expectation: Equatable, CustomStringConvertible {
    /// Exactly this value; floats compare by bit pattern.
    case value(Value)
    /// The canonical NaN of `f32`/`f64`, either sign.
    case canonicalNaN(ValueType)
    /// Any NaN with the quiet bit set, either sign.
    case arithmeticNaN(ValueType)
    /// Any non-null reference of this type (`ref.func` without an index).
    case nonNullReference(ValueType)

    func matches(_ actual: Value) -> Bool {
        switch (self, actual) {
        case (.value(let expected), _):
            return expected == actual
        case (.canonicalNaN(.f32), .f32(let bits)):
            return bits & 0x7FFF_FFFF == 0x7FC0_0000
        case (.canonicalNaN(.f64), .f64(let bits)):
            return bits & 0x7FFF_FFFF_FFFF_FFFF == 0x7FF8_0000_0000_0000
        case (.arithmeticNaN(.f32), .f32(let bits)):
            return bits & 0x7FC0_0000 == 0x7FC0_0000
        case (.arithmeticNaN(.f64), .f64(let bits)):
            return bits & 0x7FF8_0000_0000_0000 == 0x7FF8_0000_0000_0000
        case (.nonNullReference(.funcref), .funcRef(let function)):
            return function != nil
        case (.nonNullReference(.externref), .externRef(let payload)):
            return payload != nil
        default:
            return false
        }
    }

    var description: String {
        switch self {
        case .value(let value): describe(value)
        case .canonicalNaN(let type): "\(type):nan:canonical"
        case .arithmeticNaN(let type): "\(type):nan:arithmetic"
        case .nonNullReference(.funcref): "ref.func"
        case .nonNullReference(let type): "non-null \(type)"
        }
    }
}

/// A value for failure messages: floats also show their bit pattern, since
/// NaN payloads and signed zeros matter.
func describe(_ value: Value) -> String {
    switch value {
    case .f32(let bits): "f32:\(Float(bitPattern: bits)) (0x\(String(bits, radix: 16)))"
    case .f64(let bits): "f64:\(Double(bitPattern: bits)) (0x\(String(bits, radix: 16)))"
    default: value.description
    }
}

func describe(_ values: [Value]) -> String {
    "(" + values.map(describe).joined(separator: ", ") + ")"
}
