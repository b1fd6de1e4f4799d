#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A path resolved beneath a directory: the directory that holds its last
/// component, and that component. `name` is a single component (no `/`),
/// never `..`; it is `.` when the path names `directory` itself. The caller
/// applies the final operation with a no-follow `*at` call and then calls
/// `close()`.
struct ResolvedPath {
    var directory: HostFileDescriptor
    /// Whether `directory` was opened by the resolver (closed by `close()`)
    /// rather than being the base descriptor.
    var ownsDirectory: Bool
    var name: [UInt8]
    /// The path ended in `/`: it must name a directory.
    var mustBeDirectory: Bool

    func close() {
        if ownsDirectory { directory.close() }
    }
}

/// Resolves guest paths beneath a base directory descriptor without ever
/// letting the kernel follow a symlink or `..`:
///
/// - absolute paths are refused (`ENOTCAPABLE`);
/// - the path is walked one component at a time with
///   `openat(O_PATH | O_DIRECTORY | O_NOFOLLOW)`, holding a descriptor for
///   each directory entered;
/// - `..` pops that stack of descriptors (it is never passed to the kernel);
///   popping past the base is refused (`ENOTCAPABLE`);
/// - a symlink met on the way (or as the last component when following is
///   asked) is read with `readlinkat` and its target spliced into the
///   remaining components, relative to the directory holding the link; an
///   absolute target is refused (`ENOTCAPABLE`), and more than 40
///   expansions fail with `ELOOP`.
///
/// The final operation itself is done by the caller with `O_NOFOLLOW` /
/// `AT_SYMLINK_NOFOLLOW` (or calls that never follow, like `mkdirat`), so a
/// symlink swapped in after resolution fails with `ELOOP` instead of being
/// followed. Linux's `openat2(RESOLVE_BENEATH)` would do the same in the
/// kernel, but it is only reachable through the variadic `syscall(2)`,
/// which Swift cannot call; this walk needs nothing beyond POSIX `*at`.
struct PathResolver {
    /// Longest guest path accepted, in bytes.
    static let maxPathLength = 4096
    /// Symlink expansions allowed in one resolution (Linux's own limit).
    static let maxSymlinkExpansions = 40

    static let dot: [UInt8] = [0x2E]
    static let dotDot: [UInt8] = [0x2E, 0x2E]
    static let slash: UInt8 = 0x2F

    /// Resolves `path` beneath `base`. With `followFinalSymlink`, a symlink
    /// as last component is expanded too (the result's `name` is then
    /// never a symlink at the time of the check).
    static func resolve(_ path: [UInt8], beneath base: HostFileDescriptor,
                        followFinalSymlink: Bool) throws(WASICallError) -> ResolvedPath {
        guard !path.isEmpty else { throw WASICallError(.noEntry) }
        guard path.count <= maxPathLength else { throw WASICallError(.nameTooLong) }
        guard !path.contains(0) else { throw WASICallError(.invalid) }
        guard path[0] != slash else { throw .denied("absolute path") }

        var mustBeDirectory = path.last == slash
        // Remaining components, next one last.
        var pending = components(of: path).reversed() as [[UInt8]]
        // Directories entered beneath `base`, innermost last; all owned.
        var entered: [HostFileDescriptor] = []
        var expansions = 0
        func current() -> HostFileDescriptor { entered.last ?? base }
        func fail(_ error: WASICallError) -> WASICallError {
            for fd in entered { fd.close() }
            return error
        }
        func expand(_ name: [UInt8], target: [UInt8]) throws(WASICallError) {
            expansions += 1
            guard expansions <= maxSymlinkExpansions else { throw fail(WASICallError(.loop)) }
            guard !target.isEmpty else { throw fail(WASICallError(.noEntry)) }
            guard target[0] != slash else {
                throw fail(.denied("symlink '\(String(decoding: name, as: UTF8.self))' has an absolute target"))
            }
            if pending.isEmpty, target.last == slash { mustBeDirectory = true }
            pending.append(contentsOf: components(of: target).reversed())
        }

        while let component = pending.popLast() {
            let isLast = pending.isEmpty
            if component == dot {
                if isLast { break }
                continue
            }
            if component == dotDot {
                guard let innermost = entered.popLast() else {
                    throw fail(.denied("path escapes its directory through '..'"))
                }
                innermost.close()
                if isLast { break }
                continue
            }
            if isLast && !(followFinalSymlink || mustBeDirectory) {
                return finish(entered, base: base, name: component, mustBeDirectory: mustBeDirectory)
            }
            if isLast {
                // Follow the last component only if it is a symlink.
                switch symlinkTarget(in: current(), component) {
                case .some(let target):
                    try expand(component, target: target)
                    continue
                case nil:
                    return finish(entered, base: base, name: component, mustBeDirectory: mustBeDirectory)
                }
            }
            do throws(HostErrno) {
                let next = try HostFileDescriptor.open(at: current(), component,
                                                       flags: O_PATH | O_DIRECTORY | O_NOFOLLOW)
                entered.append(next)
            } catch let error where error == .tooManySymlinks || error == .notDirectory {
                // Either a symlink (expand it ourselves) or not a directory.
                guard let target = symlinkTarget(in: current(), component) else {
                    throw fail(WASICallError(error))
                }
                try expand(component, target: target)
            } catch {
                throw fail(WASICallError(error))
            }
        }
        // The path named a directory already entered (or the base itself).
        return finish(entered, base: base, name: dot, mustBeDirectory: true)
    }

    /// The components of `path`, empty ones (from `//` or a trailing `/`)
    /// removed.
    static func components(of path: [UInt8]) -> [[UInt8]] {
        path.split(separator: slash, omittingEmptySubsequences: true).map(Array.init)
    }

    /// `readlinkat` of `name`, nil when it is not a symlink (or unreadable:
    /// the caller then reports the original error).
    private static func symlinkTarget(in directory: HostFileDescriptor, _ name: [UInt8]) -> [UInt8]? {
        try? directory.readLink(name)
    }

    private static func finish(_ entered: [HostFileDescriptor], base: HostFileDescriptor, name: [UInt8],
                               mustBeDirectory: Bool) -> ResolvedPath {
        // Only the innermost directory is kept.
        for fd in entered.dropLast() { fd.close() }
        if let innermost = entered.last {
            return ResolvedPath(directory: innermost, ownsDirectory: true, name: name, mustBeDirectory: mustBeDirectory)
        }
        return ResolvedPath(directory: base, ownsDirectory: false, name: name, mustBeDirectory: mustBeDirectory)
    }
}
