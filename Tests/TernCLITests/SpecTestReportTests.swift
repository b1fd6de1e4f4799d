import TernSpecTest
import XCTest
@testable import tern

final class SpecTestReportTests: XCTestCase {
    func testLinesPerFileAndTotals() {
        var report = SpecTestReport()
        XCTAssertEqual(report.add(FileResult(passed: 460, failed: 0, failures: []), for: "i32.json"), "i32.json: 460 passed, 0 failed")
        let failures = (1...25).map { FileResult.Failure(line: $0, command: "assert_return", reason: "expected (i32:1), got (i32:0)") }
        let lines = report.add(FileResult(passed: 5, failed: 25, failures: failures), for: "f32.json").split(separator: "\n")
        XCTAssertEqual(lines.count, 1 + SpecTestReport.failuresShownPerFile + 1)
        XCTAssertEqual(lines.first, "f32.json: 5 passed, 25 failed")
        XCTAssertEqual(lines[1], "  line 1: assert_return: expected (i32:1), got (i32:0)")
        XCTAssertEqual(lines.last, "  ... and 5 more")
        XCTAssertEqual(report.totals, "465 passed, 25 failed")
    }

    func testMultiLineReasonsStayIndented() {
        var report = SpecTestReport()
        let failure = FileResult.Failure(line: 9, command: "action", reason: "unexpected trap: unreachable\n  at func 0")
        XCTAssertEqual(report.add(FileResult(passed: 0, failed: 1, failures: [failure]), for: "t.json"),
                       "t.json: 0 passed, 1 failed\n  line 9: action: unexpected trap: unreachable\n      at func 0")
    }
}
