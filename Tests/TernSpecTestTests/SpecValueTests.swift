import TernEngine
import XCTest
@testable import TernSpecTest

final class SpecValueTests: XCTestCase {
    func testArgumentsAreUnsignedBitPatterns() throws {
        XCTAssertEqual(try SpecValue(type: "i32", value: "4294967295").argument(), .i32(0xFFFF_FFFF))
        XCTAssertEqual(try SpecValue(type: "i64", value: "18446744073709551615").argument(), .i64(.max))
        XCTAssertEqual(try SpecValue(type: "f32", value: "1069547520").argument(), .f32(0x3FC0_0000))
        XCTAssertEqual(try SpecValue(type: "f64", value: "9221120237041090560").argument(), .f64(0x7FF8_0000_0000_0000))
        XCTAssertEqual(try SpecValue(type: "externref", value: "1").argument(), .externRef(1))
        XCTAssertEqual(try SpecValue(type: "externref", value: "null").argument(), .externRef(nil))
        XCTAssertEqual(try SpecValue(type: "funcref", value: "null").argument(), .funcRef(nil))
    }

    func testBadArgumentsFail() {
        XCTAssertThrowsError(try SpecValue(type: "i32", value: "4294967296").argument())
        XCTAssertThrowsError(try SpecValue(type: "i32", value: "-1").argument())
        XCTAssertThrowsError(try SpecValue(type: "i32", value: nil).argument())
        XCTAssertThrowsError(try SpecValue(type: "v128", value: "0").argument())
        XCTAssertThrowsError(try SpecValue(type: "funcref", value: "1").argument())
    }

    func testExpectations() throws {
        XCTAssertEqual(try SpecValue(type: "f32", value: "nan:canonical").expectation(), .canonicalNaN(.f32))
        XCTAssertEqual(try SpecValue(type: "f64", value: "nan:arithmetic").expectation(), .arithmeticNaN(.f64))
        XCTAssertEqual(try SpecValue(type: "funcref", value: nil).expectation(), .nonNullReference(.funcref))
        XCTAssertEqual(try SpecValue(type: "funcref", value: "0").expectation(), .nonNullReference(.funcref))
        XCTAssertEqual(try SpecValue(type: "funcref", value: "null").expectation(), .value(.funcRef(nil)))
        XCTAssertEqual(try SpecValue(type: "i32", value: "5").expectation(), .value(.i32(5)))
        XCTAssertThrowsError(try SpecValue(type: "i32", value: nil).expectation())
        XCTAssertThrowsError(try SpecValue(type: "i32", value: "nan:canonical").expectation())
    }
}
