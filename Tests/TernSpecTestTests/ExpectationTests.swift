import TernEngine
import XCTest
@testable import TernSpecTest

final class ExpectationTests: XCTestCase {
    func testExactValuesCompareBitPatterns() {
        XCTAssertTrue(Expectation.value(.i32(7)).matches(.i32(7)))
        XCTAssertFalse(Expectation.value(.i32(7)).matches(.i64(7)))
        XCTAssertFalse(Expectation.value(.f32(0x8000_0000)).matches(.f32(0)), "-0 is not +0")
        XCTAssertTrue(Expectation.value(.f64(0x7FF0_0000_0000_0001)).matches(.f64(0x7FF0_0000_0000_0001)))
        XCTAssertFalse(Expectation.value(.f64(0x7FF0_0000_0000_0001)).matches(.f64(0x7FF8_0000_0000_0000)))
    }

    func testCanonicalNaNAcceptsOnlyTheCanonicalPayloadOfEitherSign() {
        let f32 = Expectation.canonicalNaN(.f32)
        XCTAssertTrue(f32.matches(.f32(0x7FC0_0000)))
        XCTAssertTrue(f32.matches(.f32(0xFFC0_0000)))
        XCTAssertFalse(f32.matches(.f32(0x7FC0_0001)))
        XCTAssertFalse(f32.matches(.f32(0x7F80_0000)), "infinity")
        XCTAssertFalse(f32.matches(.f64(0x7FF8_0000_0000_0000)), "wrong type")
        let f64 = Expectation.canonicalNaN(.f64)
        XCTAssertTrue(f64.matches(.f64(0xFFF8_0000_0000_0000)))
        XCTAssertFalse(f64.matches(.f64(0x7FF8_0000_0000_0001)))
    }

    func testArithmeticNaNRequiresTheQuietBit() {
        let f32 = Expectation.arithmeticNaN(.f32)
        XCTAssertTrue(f32.matches(.f32(0x7FC0_0000)))
        XCTAssertTrue(f32.matches(.f32(0xFFE0_0001)))
        XCTAssertFalse(f32.matches(.f32(0x7FA0_0000)), "signalling NaN")
        let f64 = Expectation.arithmeticNaN(.f64)
        XCTAssertTrue(f64.matches(.f64(0x7FFC_0000_0000_0000)))
        XCTAssertFalse(f64.matches(.f64(0x7FF4_0000_0000_0000)))
    }

    func testReferences() {
        XCTAssertTrue(Expectation.value(.funcRef(nil)).matches(.funcRef(nil)))
        XCTAssertTrue(Expectation.value(.externRef(nil)).matches(.externRef(nil)))
        XCTAssertTrue(Expectation.value(.externRef(3)).matches(.externRef(3)))
        XCTAssertFalse(Expectation.value(.externRef(3)).matches(.externRef(4)))
        XCTAssertFalse(Expectation.value(.externRef(nil)).matches(.funcRef(nil)))
        XCTAssertFalse(Expectation.nonNullReference(.funcref).matches(.funcRef(nil)))
        XCTAssertFalse(Expectation.nonNullReference(.funcref).matches(.externRef(1)))
    }

    func testDescriptionsShowFloatBits() {
        XCTAssertEqual(Expectation.value(.f32(0x3FC0_0000)).description, "f32:1.5 (0x3fc00000)")
        XCTAssertEqual(Expectation.canonicalNaN(.f64).description, "f64:nan:canonical")
        XCTAssertEqual(Expectation.nonNullReference(.funcref).description, "ref.func")
    }
}
