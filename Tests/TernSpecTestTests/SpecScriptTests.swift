import Foundation
import XCTest
@testable import TernSpecTest

final class SpecScriptTests: XCTestCase {
    func testDecodesWast2JSONOutput() throws {
        let json = """
            {"source_filename": "t.wast",
             "commands": [
              {"type": "module", "line": 3, "name": "$M", "filename": "t.0.wasm"},
              {"type": "register", "line": 7, "name": "$M", "as": "M"},
              {"type": "assert_return", "line": 9, "action": {"type": "invoke", "module": "$M", "field": "f",
               "args": [{"type": "i32", "value": "1"}]}, "expected": [{"type": "f32", "value": "nan:canonical"}]},
              {"type": "assert_malformed", "line": 12, "filename": "t.1.wat", "text": "unknown operator", "module_type": "text"}]}
            """
        let script = try JSONDecoder().decode(SpecScript.self, from: Data(json.utf8))
        XCTAssertEqual(script.commands.map(\.type), ["module", "register", "assert_return", "assert_malformed"])
        XCTAssertEqual(script.commands.map(\.countsAsTest), [true, false, true, true])
        XCTAssertEqual(script.commands[0].name, "$M")
        XCTAssertEqual(script.commands[1].as, "M")
        let action = try XCTUnwrap(script.commands[2].action)
        XCTAssertEqual(action.module, "$M")
        XCTAssertEqual(action.field, "f")
        XCTAssertEqual(action.args?.first?.value, "1")
        XCTAssertEqual(script.commands[2].expected?.first?.value, "nan:canonical")
        XCTAssertEqual(script.commands[3].moduleType, "text")
        XCTAssertEqual(script.commands[3].text, "unknown operator")
    }
}
