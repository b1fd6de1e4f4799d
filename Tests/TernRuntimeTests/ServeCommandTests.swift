import Foundation
import TernHTTP
import TernTestSupport
import XCTest
@testable import TernRuntime

/// The built `tern` binary: `tern serve` as a process, driven with HTTP and
/// with the client commands.
final class ServeCommandTests: XCTestCase {
    func testTheDemoQuickstart() throws {
        let server = try ServerProcess(["serve", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        defer { server.stop() }
        let client = HTTPClient(configuration: .init(timeout: testWaitLimit))
        let response = try client.send(url: "http://\(server.functions)/?name=book1", headers: ["id": "id_1"])
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "There are 100 inventories for book1.")
        XCTAssertEqual(server.stop(), 0, "SIGTERM stops the server cleanly")
    }

    func testTheClientCommands() throws {
        let server = try ServerProcess(["serve", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        defer { server.stop() }
        let admin = ["--admin", server.admin.description], listen = ["--listen", server.functions.description]

        let deployed = try tern(["deploy", "echo", ExampleFunction.echo.path, "--instances", "2", "--timeout", "5s"] + admin)
        XCTAssertEqual(deployed.status, 0, deployed.stderr)
        XCTAssertEqual(deployed.stdout, "deployed echo (version 1, up to 2 instances)\n")

        let invoked = try tern(["invoke", "echo", "--data", "hello", "--header", "x-echo-input: yes"] + listen)
        XCTAssertEqual(invoked.status, 0, invoked.stderr)
        XCTAssertEqual(invoked.stdout, "hello")

        let listed = try tern(["ls"] + admin)
        XCTAssertEqual(listed.status, 0, listed.stderr)
        let rows = listed.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        XCTAssertEqual(rows.first, ["ID", "NAME", "VERSION", "INSTANCES", "QUEUED", "REQUESTS", "INVOCATIONS", "FAILURES", "SIZE"])
        XCTAssertEqual(rows.dropFirst().map { $0.first }, ["echo", "id_1", "id_2"])
        XCTAssertEqual(rows[1].prefix(6), ["echo", "echo", "1", "1/2", "0", "1"])

        let refused = try tern(["deploy", "broken", ExampleFunction.unknown_import.path] + admin)
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(refused.stderr, "error: unlinkable: env.proxy_foo: unknown import (HTTP 400)\n")

        let removed = try tern(["rm", "echo"] + admin)
        XCTAssertEqual(removed.status, 0, removed.stderr)
        XCTAssertEqual(removed.stdout, "removed echo\n")
        let gone = try tern(["invoke", "echo"] + listen)
        XCTAssertEqual(gone.status, 1)
        XCTAssertEqual(gone.stderr, "HTTP 404 Not Found\n")
        XCTAssertTrue(gone.stdout.contains("unknown function 'echo'"), gone.stdout)
        let removedAgain = try tern(["rm", "echo"] + admin)
        XCTAssertEqual(removedAgain.stderr, "error: unknown function 'echo' (HTTP 404)\n")
    }

    func testAConfigurationFile() throws {
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("tern.json")
        let examples = TestEnvironment.repositoryRoot.appendingPathComponent("examples/functions").path
        try Data("""
            {"functions": [{"id": "greeter", "path": "\(examples)/local_response/local_response.wasm", "instances": 1}]}
            """.utf8).write(to: file)
        let server = try ServerProcess(["serve", "--config", file.path, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
        defer { server.stop() }
        XCTAssertTrue(server.output.contains("installed greeter (greeter, up to 1 instances)\n"), server.output)
        let invoked = try tern(["invoke", "greeter", "--path", "/?status=202", "--listen", server.functions.description])
        XCTAssertEqual(invoked.stdout, "made locally\n")
    }

    func testABadConfigurationStopsWithTheReason() throws {
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("tern.json")
        try Data(#"{"functions": [{"id": "x", "path": "x.wasm", "instances": -1}]}"#.utf8).write(to: file)
        let result = try tern(["serve", "--config", file.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "error: \(file.path): functions[0].instances: expected a whole number in 1...4096, got '-1'\n")
        let usage = try tern(["serve", "--listen", "nowhere"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.stderr.hasPrefix("error: --listen expects HOST:PORT, got 'nowhere'\n"), usage.stderr)
    }
}

/// `tern serve` running as a child process, until `stop()`.
final class ServerProcess {
    private let process = Process()
    private let exited = DispatchSemaphore(value: 0)
    /// The bound addresses, read from the line `tern serve` prints.
    let functions: ListenAddress
    let admin: ListenAddress
    /// Standard output up to the listening line.
    let output: String
    private var exitStatus: Int32?

    init(_ arguments: [String]) throws {
        let stdout = Pipe()
        process.executableURL = try TestEnvironment.ternBinary()
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        let exited = exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()

        // Read on another thread, so a server that never prints fails the
        // test after the wait limit instead of hanging it.
        let received = Outcome<String>()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var text = ""
            while !text.contains("listening on ") || !text.hasSuffix("\n") {
                let chunk = stdout.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
            }
            received.set(text)
            done.signal()
        }
        guard done.waitBounded(), let text = received.value,
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on ") }) else {
            process.terminate()
            throw TestFailure("tern serve did not report its addresses: \(received.value ?? "")")
        }
        // listening on HOST:PORT (functions), HOST:PORT (admin)
        let words = line.split(separator: " ")
        guard words.count == 6, let functions = ListenAddress(String(words[2])),
              let admin = ListenAddress(String(words[4])) else {
            process.terminate()
            throw TestFailure("unexpected line: \(line)")
        }
        self.functions = functions
        self.admin = admin
        output = text
    }

    /// Sends SIGTERM and waits for the exit; returns the exit status.
    @discardableResult
    func stop() -> Int32? {
        if let exitStatus { return exitStatus }
        process.terminate()
        guard exited.waitBounded() else { return nil }
        exitStatus = process.terminationStatus
        return exitStatus
    }
}
