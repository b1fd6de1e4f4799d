import Foundation
import TernSpecTest

extension Command {
    static let spectest = Command(
        name: "spectest",
        summary: "Run WebAssembly spec test scripts converted by wast2json",
        usage: """
            usage: tern spectest [--suite-dir DIR] [FILE.json...]

            Runs each script (the JSON output of wast2json, with its .wasm files
            beside it) and prints one line per file, e.g. 'i32.json: 460 passed,
            0 failed', with the first \(SpecTestReport.failuresShownPerFile) failures of a file indented below it,
            then the totals: 'N passed, M failed'. Exits with 0 iff nothing failed.

            Counting follows wabt's spectest-interp: every command but 'register'
            is one test; assertions on the text format pass without running.

            options:
              --suite-dir DIR    resolve relative FILEs in DIR; with no FILE, run
                                 every *.json in DIR
            """,
        run: { arguments throws(CommandLineError) in
            let files = try specTestFiles(from: arguments)
            var report = SpecTestReport()
            let runner = SpecTestRunner()
            for file in files {
                let result = runner.run(jsonFile: file)
                // Unbuffered, so a long run shows its progress file by file.
                FileHandle.standardOutput.write(Data((report.add(result, for: file.lastPathComponent) + "\n").utf8))
            }
            FileHandle.standardOutput.write(Data((report.totals + "\n").utf8))
            return report.failed == 0 ? ExitStatus.success : ExitStatus.failure
        }
    )

    /// The scripts named by `[--suite-dir DIR] [FILE...]`.
    private static func specTestFiles(from arguments: [String]) throws(CommandLineError) -> [URL] {
        var reader = ArgumentReader(arguments)
        var suiteDirectory: URL?
        while reader.nextIsOption {
            let (name, value) = try reader.nextOption()
            guard name == "--suite-dir" else { throw .usage("unknown option \(name)") }
            suiteDirectory = URL(fileURLWithPath: value, isDirectory: true)
        }
        let names = reader.remaining
        if !names.isEmpty {
            return names.map { URL(fileURLWithPath: $0, relativeTo: suiteDirectory).standardizedFileURL }
        }
        guard let suiteDirectory else { throw .usage("no FILE.json given") }
        let contents: [String]
        do {
            contents = try FileManager.default.contentsOfDirectory(atPath: suiteDirectory.path)
        } catch {
            throw .failure("error: cannot list \(suiteDirectory.path): \(error.localizedDescription)")
        }
        let scripts = contents.filter { $0.hasSuffix(".json") }.sorted()
        guard !scripts.isEmpty else { throw .failure("error: no .json scripts in \(suiteDirectory.path)") }
        return scripts.map { suiteDirectory.appendingPathComponent($0) }
    }
}

/// Accumulates per-file results into the lines `tern spectest` prints.
struct SpecTestReport {
    static let failuresShownPerFile = 20

    private(set) var passed = 0
    private(set) var failed = 0

    /// Adds one file's result and returns its lines: the summary, then up to
    /// `failuresShownPerFile` failures, indented.
    mutating func add(_ result: FileResult, for name: String) -> String {
        passed += result.passed
        failed += result.failed
        var lines = ["\(name): \(result.passed) passed, \(result.failed) failed"]
        for failure in result.failures.prefix(Self.failuresShownPerFile) {
            lines.append("  " + failure.description.replacingOccurrences(of: "\n", with: "\n    "))
        }
        let hidden = result.failures.count - Self.failuresShownPerFile
        if hidden > 0 { lines.append("  ... and \(hidden) more") }
        return lines.joined(separator: "\n")
    }

    /// The closing line.
    var totals: String { "\(passed) passed, \(failed) failed" }
}
