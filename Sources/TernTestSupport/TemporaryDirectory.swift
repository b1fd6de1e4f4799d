import Foundation

/// A fresh, private (mode 0700, made by `mkdtemp`) scratch directory,
/// removed with everything in it when the value is released.
public final class TemporaryDirectory {
    public let url: URL
    public var path: String { url.path }

    public init() throws {
        var template = Array((FileManager.default.temporaryDirectory.path + "/tern-tests-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw TestSetupError(message: "mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        url = URL(fileURLWithPath: template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }, isDirectory: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    // MARK: Paths relative to the directory (for APIs that take path strings)

    /// The path of `relative` inside the directory.
    public func url(_ relative: String) -> String { path + "/" + relative }

    public func write(_ relative: String, _ contents: String) throws {
        try contents.write(toFile: url(relative), atomically: false, encoding: .utf8)
    }

    public func read(_ relative: String) throws -> String {
        try String(contentsOfFile: url(relative), encoding: .utf8)
    }

    /// Creates the directory `relative` and any missing parents.
    public func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: url(relative), withIntermediateDirectories: true)
    }

    public func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: url(relative), withDestinationPath: target)
    }

    /// Whether `relative` exists (a dangling symbolic link counts).
    public func exists(_ relative: String) -> Bool {
        var status = stat()
        return lstat(url(relative), &status) == 0
    }

    /// Every path beneath the directory, sorted (a fingerprint of its state).
    public func snapshot() -> [String] {
        (FileManager.default.subpaths(atPath: path) ?? []).sorted()
    }
}
