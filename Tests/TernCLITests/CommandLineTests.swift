import TernTestSupport
import XCTest

/// The command table, help and usage errors of the `tern` binary.
final class CommandLineTests: XCTestCase {
    func testVersionAndHelp() throws {
        let version = try tern(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("tern "), version.stdout)

        for arguments in [["help"], ["--help"]] {
            let help = try tern(arguments)
            XCTAssertEqual(help.status, 0)
            for command in ["run", "inspect", "spectest", "help"] {
                XCTAssertTrue(help.stdout.contains("\n  \(command) "), "\(arguments) lists \(command)")
            }
        }
        let runHelp = try tern(["help", "run"])
        XCTAssertEqual(runHelp.status, 0)
        XCTAssertTrue(runHelp.stdout.hasPrefix("usage: tern run [OPTIONS] FILE.wasm [--invoke NAME] [ARGS...]"))
        XCTAssertEqual(try tern(["run", "--help"]).stdout, runHelp.stdout)
    }

    func testUsageErrorsExitWithTwo() throws {
        let cases: [([String], String)] = [
            ([], "usage: tern COMMAND"),
            (["frobnicate"], "error: unknown command 'frobnicate'"),
            (["help", "frobnicate"], "error: unknown command 'frobnicate'"),
            (["run"], "error: missing the module FILE"),
            (["run", "--timeout", "soon", "a.wasm"], "error: invalid value 'soon' for duration"),
            (["inspect"], "error: inspect takes exactly one FILE"),
            (["spectest"], "error: no FILE.json given"),
            (["spectest", "--suite", "x"], "error: unknown option --suite"),
        ]
        for (arguments, message) in cases {
            let result = try tern(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", "\(arguments)")
        }
    }

    func testUnreadableFilesFailWithOne() throws {
        for arguments in [["run", "/no/such.wasm"], ["inspect", "/no/such.wasm"]] {
            let result = try tern(arguments)
            XCTAssertEqual(result.status, 1)
            XCTAssertEqual(result.stderr, "error: cannot read /no/such.wasm\n")
        }
    }
}
