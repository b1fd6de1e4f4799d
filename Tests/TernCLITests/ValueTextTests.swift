import TernEngine
import TernWASI
import XCTest
@testable import tern

final class ValueTextTests: XCTestCase {
    func testFormatting() {
        XCTAssertEqual(ValueText.format(.i32(0xFFFF_FFFF)), "-1")
        XCTAssertEqual(ValueText.format(.i64(1 << 63)), "-9223372036854775808")
        XCTAssertEqual(ValueText.format(.f32(0x3DCC_CCCD)), "0.1")
        XCTAssertEqual(ValueText.format(.f64(0x3FB9_9999_9999_999A)), "0.1")
        XCTAssertEqual(ValueText.format(.f32(0x8000_0000)), "-0.0")
        XCTAssertEqual(ValueText.format(.f64(0x7FF0_0000_0000_0000)), "inf")
        XCTAssertEqual(ValueText.format(.f32(0xFF80_0000)), "-inf")
        XCTAssertEqual(ValueText.format(.f32(0x7FC0_0000)), "nan")
        XCTAssertEqual(ValueText.format(.f64(0xFFF8_0000_0000_0000)), "-nan")
        XCTAssertEqual(ValueText.format(.f32(0x7F80_0001)), "nan:0x1")
        XCTAssertEqual(ValueText.format(.f64(0x7FFC_0000_0000_0000)), "nan:0xc000000000000")
        XCTAssertEqual(ValueText.format(.funcRef(nil)), "null")
        XCTAssertEqual(ValueText.format(.externRef(nil)), "null")
        XCTAssertEqual(ValueText.format(.externRef(3)), "ref.extern 3")
    }

    /// What `--invoke` prints, `--invoke` reads back (TernWASI's `parseValues`),
    /// except that a non-null externref is read as its bare payload.
    func testFormattedValuesReadBackToTheSameBits() throws {
        let f32Patterns: [UInt32] = [0, 0x8000_0000, 1, 0x3DCC_CCCD, 0x7F7F_FFFF, 0x7FC0_0000, 0xFFA0_0001, 0x7F80_0000]
        let f64Patterns: [UInt64] = [1, 0x8000_0000_0000_0001, 0x4009_21FB_5444_2D18, 0x7FEF_FFFF_FFFF_FFFF, 0x7FF0_0000_0000_0001]
        let values: [Value] = f32Patterns.map(Value.f32) + f64Patterns.map(Value.f64)
            + [.i32(0), .i32(0x8000_0000), .i32(0xFFFF_FFFF), .i64(1 << 63), .i64(.max), .externRef(nil)]
        for value in values {
            let text = ValueText.format(value)
            XCTAssertEqual(try parseValues([text], for: [value.type]), [value], text)
        }
    }
}
