import XCTest
@testable import TernRuntime

final class JSONTests: XCTestCase {
    func testParsesEveryKindOfValue() throws {
        let value = try JSONValue.parse(Array(#"{"a": [1, -2, 3.5, 1e3, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00"}"#.utf8))
        XCTAssertEqual(value, .object([
            "a": .array([.integer(1), .integer(-2), .number(3.5), .number(1000), .bool(true), .bool(false), .null]),
            "b": .string("x\"\\/\né😀"),
        ]))
    }

    func testIntegersBeyondInt64BecomeNumbers() throws {
        XCTAssertEqual(try JSONValue.parse(Array("18446744073709551616".utf8)), .number(18446744073709551616))
    }

    func testSyntaxErrorsNameTheLineAndColumn() {
        let cases: [(String, String)] = [
            ("{\n  \"a\": 1,\n  \"b\" 2\n}", "unexpected '2', expected ':' at line 3, column 7"),
            ("{bad", "expected a string key at line 1, column 2"),
            ("[1, 2", "unexpected end of input, expected ',' or ']' at line 1, column 6"),
            ("{\"a\": 1, \"a\": 2}", "duplicate key \"a\" at line 1, column 10"),
            ("01", "unexpected text after the JSON value at line 1, column 2"),
            ("\"tab\there\"", "control character in a string (escape it) at line 1, column 5"),
            ("", "unexpected end of input, expected a value at line 1, column 1"),
            ("\"\\ud800\"", "unpaired surrogate in \\u escape at line 1, column 8"),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try JSONValue.parse(Array(text.utf8)), text) { error in
                XCTAssertEqual((error as? JSONSyntaxError)?.reason, reason, text)
            }
        }
    }

    func testDeepNestingIsRefusedInsteadOfOverflowingTheStack() {
        let text = String(repeating: "[", count: 100_000)
        XCTAssertThrowsError(try JSONValue.parse(Array(text.utf8))) { error in
            XCTAssertTrue("\(error)".contains("nested deeper than 256 levels"), "\(error)")
        }
    }

    func testSerializesWithSortedKeysAndEscapes() {
        let value: JSONValue = ["b": [1, true, .null], "a": "q\"\u{1}\n"]
        XCTAssertEqual(value.serialized, #"{"a":"q\"\u0001\n","b":[1,true,null]}"#)
    }

    func testSerializedTextParsesBack() throws {
        let value: JSONValue = ["name": "fünf 😀", "list": [1, .number(2.5), ["nested": .null]], "flag": false]
        XCTAssertEqual(try JSONValue.parse(value.serializedBytes), value)
    }
}
