import Foundation
import TernTestSupport
import XCTest
@testable import TernWASI

/// Path confinement, without the engine: `PathResolver` directly.
final class PathResolverTests: XCTestCase {
    var root: TemporaryDirectory!
    var sandbox: HostFileDescriptor!

    override func setUpWithError() throws {
        root = try TemporaryDirectory()
        try root.mkdir("sandbox/sub/deeper")
        try root.mkdir("outside")
        try root.write("outside/secret.txt", "secret")
        try root.write("sandbox/file.txt", "inside")
        try root.write("sandbox/sub/nested.txt", "nested")
        try root.symlink("sandbox/etc", to: "/etc")
        try root.symlink("sandbox/escape", to: "../outside")
        try root.symlink("sandbox/sub/up", to: "..")
        try root.symlink("sandbox/sub/upup", to: "../..")
        try root.symlink("sandbox/inner", to: "sub/nested.txt")
        try root.symlink("sandbox/loop", to: "loop")
        sandbox = try HostFileDescriptor.open(path: root.url("sandbox"), flags: O_RDONLY | O_DIRECTORY)
    }

    override func tearDown() {
        sandbox?.close()
        root = nil
    }

    private func resolve(_ path: String, follow: Bool = true) throws -> ResolvedPath {
        try PathResolver.resolve(Array(path.utf8), beneath: sandbox, followFinalSymlink: follow)
    }

    private func assertErrno(_ path: String, _ expected: WASIErrno, follow: Bool = true,
                             file: StaticString = #filePath, line: UInt = #line) {
        do {
            let resolved = try resolve(path, follow: follow)
            resolved.close()
            XCTFail("'\(path)' resolved to '\(String(decoding: resolved.name, as: UTF8.self))'", file: file, line: line)
        } catch let error as WASICallError {
            XCTAssertEqual(error.errno, expected, "'\(path)': \(error.reason ?? "")", file: file, line: line)
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
    }

    /// Reads the resolved file through a no-follow open, as WASI calls do.
    private func contents(_ path: String) throws -> String {
        let resolved = try resolve(path)
        defer { resolved.close() }
        let fd = try HostFileDescriptor.open(at: resolved.directory, resolved.name, flags: O_RDONLY | O_NOFOLLOW)
        defer { fd.close() }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = try buffer.withUnsafeMutableBytes { try fd.read(into: $0) }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    func testPlainPathsResolveInside() throws {
        XCTAssertEqual(try contents("file.txt"), "inside")
        XCTAssertEqual(try contents("sub/nested.txt"), "nested")
        XCTAssertEqual(try contents("./sub/../file.txt"), "inside")
        XCTAssertEqual(try contents("sub//deeper/../nested.txt"), "nested")
        XCTAssertEqual(try contents("inner"), "nested")  // symlink staying inside
        XCTAssertEqual(try contents("sub/up/file.txt"), "inside")  // '..' symlink staying inside
    }

    func testDotDotEscapesAreDenied() {
        assertErrno("..", .notCapable)
        assertErrno("../outside/secret.txt", .notCapable)
        assertErrno("sub/../../outside/secret.txt", .notCapable)
        assertErrno("sub/deeper/../../../outside", .notCapable)
        assertErrno("./../sandbox/file.txt", .notCapable)
    }

    func testAbsolutePathsAreDenied() {
        assertErrno("/etc/passwd", .notCapable)
        assertErrno("/", .notCapable)
        assertErrno(root.url("outside/secret.txt"), .notCapable)
    }

    func testSymlinksLeadingOutsideAreDenied() {
        assertErrno("etc/passwd", .notCapable)  // absolute target, as a directory
        assertErrno("etc", .notCapable)  // absolute target, followed at the end
        assertErrno("escape/secret.txt", .notCapable)  // relative target climbing out
        assertErrno("escape", .notCapable)
        assertErrno("sub/upup/outside/secret.txt", .notCapable)
        assertErrno("sub/upup", .notCapable)
    }

    func testUnfollowedFinalSymlinkIsTheLinkItself() throws {
        // lstat-like calls see the link without following it.
        let resolved = try resolve("etc", follow: false)
        defer { resolved.close() }
        XCTAssertEqual(resolved.name, Array("etc".utf8))
        // Opening it with O_NOFOLLOW (as path_open does) fails with ELOOP.
        XCTAssertThrowsError(try HostFileDescriptor.open(at: resolved.directory, resolved.name, flags: O_RDONLY | O_NOFOLLOW)) {
            XCTAssertEqual($0 as? HostErrno, .tooManySymlinks)
        }
    }

    func testMalformedPaths() {
        assertErrno("", .noEntry)
        assertErrno("a\u{0}b", .invalid)
        assertErrno(String(repeating: "a/", count: 3000), .nameTooLong)
        assertErrno("loop", .loop)
        assertErrno("file.txt/x", .notDirectory)
        assertErrno("missing/x", .noEntry)
    }

    func testDirectoryResolvesToDot() throws {
        for path in [".", "sub/..", "sub/", "sub/deeper/../.."] {
            let resolved = try resolve(path)
            defer { resolved.close() }
            if path == "sub/" {
                XCTAssertEqual(resolved.name, Array("sub".utf8))
                XCTAssertTrue(resolved.mustBeDirectory)
            } else {
                XCTAssertEqual(resolved.name, PathResolver.dot, path)
            }
        }
    }

    func testNoDescriptorLeaks() throws {
        func openCount() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0 }
        let before = openCount()
        for _ in 0..<50 {
            _ = try? resolve("sub/deeper/../../escape/secret.txt")
            _ = try? resolve("sub/deeper/x/y")
            (try? resolve("sub/deeper/../nested.txt"))?.close()
        }
        XCTAssertEqual(openCount(), before)
    }
}
