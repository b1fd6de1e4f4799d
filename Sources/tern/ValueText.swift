import TernEngine

/// Values as `tern run --invoke` prints them, in the syntax its arguments
/// are read in (see TernWASI's `parseValues`): integers in signed decimal,
/// floats so that they read back to the same bits (`inf`, `-inf`, `nan`,
/// `nan:0xPAYLOAD`), references as `null`, `ref.func` or `ref.extern N`.
enum ValueText {
    static func format(_ value: Value) -> String {
        switch value {
        case .i32(let bits): String(Int32(bitPattern: bits))
        case .i64(let bits): String(Int64(bitPattern: bits))
        case .f32(let bits): format(Float(bitPattern: bits))
        case .f64(let bits): format(Double(bitPattern: bits))
        case .funcRef(let function): function == nil ? "null" : "ref.func"
        case .externRef(let payload): payload.map { "ref.extern \($0)" } ?? "null"
        }
    }

    /// A float that reads back to the same bits: Swift's shortest
    /// round-tripping decimal, `inf`, or `nan` (`nan:0x...` for a payload
    /// other than the canonical one), with a `-` for a negative sign.
    static func format<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) -> String {
        guard value.isNaN else { return value.description }
        let sign = value.sign == .minus ? "-" : ""
        let canonicalPayload = F.RawSignificand(1) << (F.significandBitCount - 1)
        let payload = value.significandBitPattern
        return payload == canonicalPayload ? sign + "nan" : sign + "nan:0x" + String(payload, radix: 16)
    }
}
