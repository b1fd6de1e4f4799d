#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TernEngine
import TernFormat

/// One open descriptor of a guest.
final class FileEntry {
    enum Kind {
        case input(WASIInputSource)
        case output(WASIOutputSink)
        case file(HostFileDescriptor)
        case directory(HostFileDescriptor)
    }

    let kind: Kind
    let fileType: WASIFileType
    var rightsBase: WASIRights
    var rightsInheriting: WASIRights
    /// The guest name of a preopened directory (`fd_prestat_*`).
    let preopenName: [UInt8]?
    /// fdflags of a standard stream (host files keep theirs in the kernel).
    var streamFlags: UInt16 = 0
    /// Entries of a directory read by `fd_readdir` (refreshed at cookie 0).
    var directoryCache: [HostDirectoryEntry]?

    init(kind: Kind, fileType: WASIFileType, rightsBase: WASIRights, rightsInheriting: WASIRights,
         preopenName: [UInt8]? = nil) {
        self.kind = kind
        self.fileType = fileType
        self.rightsBase = rightsBase
        self.rightsInheriting = rightsInheriting
        self.preopenName = preopenName
    }

    /// The host descriptor of a file or directory, nil for streams.
    var hostDescriptor: HostFileDescriptor? {
        switch kind {
        case .file(let fd), .directory(let fd): fd
        case .input, .output: nil
        }
    }

    func close() {
        hostDescriptor?.close()
    }
}

/// A WASI snapshot preview1 context: the state of one guest instance (its
/// descriptor table, arguments, environment, capabilities and streams).
///
/// Use one context per instance, on the thread that runs it: it is not
/// thread-safe. Define its functions in a `Linker` with `define(in:)`, then
/// instantiate. Closing the context (or releasing it, which happens when the
/// store holding its functions goes away) closes every host descriptor.
public final class WASI {
    public let configuration: WASIConfiguration
    public let deniedCalls: DeniedCallLog
    let stdin: WASIInputSource
    let stdout: WASIOutputSink
    let stderr: WASIOutputSink

    var files: [UInt32: FileEntry] = [:]

    /// Opens the preopened directories (when the `filesystem` capability is
    /// granted) and sets up fds 0-2.
    public init(configuration: WASIConfiguration, stdin: WASIInputSource = BytesInput(),
                stdout: WASIOutputSink, stderr: WASIOutputSink,
                deniedCalls: DeniedCallLog = DeniedCallLog()) throws(WASISetupError) {
        self.configuration = configuration
        self.deniedCalls = deniedCalls
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        let stdio = configuration.capabilities.contains(.stdio)
        files[0] = FileEntry(kind: .input(stdin), fileType: .characterDevice,
                             rightsBase: stdio ? .standardInput : [], rightsInheriting: [])
        files[1] = FileEntry(kind: .output(stdout), fileType: .characterDevice,
                             rightsBase: stdio ? .standardOutput : [], rightsInheriting: [])
        files[2] = FileEntry(kind: .output(stderr), fileType: .characterDevice,
                             rightsBase: stdio ? .standardOutput : [], rightsInheriting: [])
        guard configuration.capabilities.contains(.filesystem) else { return }
        for (index, preopen) in configuration.preopens.enumerated() {
            let fd: HostFileDescriptor
            do {
                fd = try HostFileDescriptor.open(path: preopen.hostPath, flags: O_RDONLY | O_DIRECTORY)
            } catch {
                close()
                throw .cannotOpenPreopen(hostPath: preopen.hostPath, reason: error.description)
            }
            let rights: WASIRights = preopen.isReadOnly ? .readOnly : .all
            files[UInt32(3 + index)] = FileEntry(kind: .directory(fd), fileType: .directory, rightsBase: rights,
                                                 rightsInheriting: rights, preopenName: Array(preopen.guestPath.utf8))
        }
    }

    deinit { close() }

    /// Closes every host descriptor the guest holds. The context stays
    /// usable: every descriptor then reports `EBADF`.
    public func close() {
        for entry in files.values { entry.close() }
        files.removeAll()
    }

    /// Number of open descriptors (streams and preopens included).
    public var openFileCount: Int { files.count }

    /// The name of the WASI snapshot preview1 import module.
    public static let moduleName = "wasi_snapshot_preview1"

    /// Defines every preview1 function in `linker`, bound to this context.
    /// Functions Tern does not implement return `ENOSYS` (52). When `module`
    /// is given, any other function it imports from `wasi_snapshot_preview1`
    /// is also defined as an `ENOSYS` stub of the imported type, so modules
    /// importing more than they use still link.
    public func define(in linker: Linker, for module: CompiledModule? = nil) {
        for signature in WASI.signatures {
            let body = WASI.implementations[signature.name]
            linker.define(module: WASI.moduleName, name: signature.name,
                          function: hostFunction(name: signature.name, type: signature.type, body: body))
        }
        guard let module else { return }
        for entry in module.imports where entry.module == WASI.moduleName {
            guard case .function(let typeIndex) = entry.descriptor,
                  !linker.isDefined(module: WASI.moduleName, name: entry.name),
                  Int(typeIndex) < module.module.types.count
            else { continue }
            let type = module.module.types[Int(typeIndex)]
            linker.define(module: WASI.moduleName, name: entry.name, function: HostFunction(type: type) { _, _ in
                // An errno result when the type has one i32 result; nothing otherwise.
                type.results.map { $0 == .i32 ? .i32(UInt32(WASIErrno.noSys.rawValue)) : Value.zero($0) }
            })
        }
    }

    /// What a call implementation receives.
    struct CallContext {
        var memory: GuestMemory
        /// The store's interrupt flag (for calls that block, like sleeping).
        var interrupt: InterruptHandle?
        var arguments: [Value]

        func u32(_ index: Int) -> UInt32 {
            switch arguments[index] {
            case .i32(let value): value
            case .i64(let value): UInt32(truncatingIfNeeded: value)
            default: 0
            }
        }

        func u64(_ index: Int) -> UInt64 {
            switch arguments[index] {
            case .i64(let value): value
            case .i32(let value): UInt64(value)
            default: 0
            }
        }
    }

    typealias Implementation = @Sendable (WASI, CallContext) throws(WASICallError) -> Void

    /// Runs one call: returns its errno, records denials, and turns errors
    /// that must stop the guest (`proc_exit`, an interrupt while blocked)
    /// into the trap they carry.
    func perform(_ name: String, _ context: CallContext, _ body: Implementation?) throws(Trap) -> WASIErrno {
        guard let body else { return .noSys }
        do {
            try body(self, context)
            return .success
        } catch {
            if let trap = error.trap { throw trap }
            if error.errno == .notCapable {
                deniedCalls.record(call: name, reason: error.reason ?? "capability not granted")
            }
            return error.errno
        }
    }

    private func hostFunction(name: String, type: FunctionType, body: Implementation?) -> HostFunction {
        HostFunction(type: type) { caller, arguments throws(Trap) -> [Value] in
            guard let memory = caller.memory else {
                throw Trap(.host("\(WASI.moduleName).\(name): the calling module has no memory"))
            }
            let context = CallContext(memory: GuestMemory(memory), interrupt: caller.store.interruptHandle,
                                      arguments: arguments)
            let errno = try self.perform(name, context, body)
            return type.results.isEmpty ? [] : [.i32(UInt32(errno.rawValue))]
        }
    }

    /// Calls `name` with a plain buffer as the guest memory (unit tests).
    func call(_ name: String, memory: UnsafeMutableRawBufferPointer, _ arguments: [Value],
              interrupt: InterruptHandle? = nil) throws(Trap) -> WASIErrno {
        try perform(name, CallContext(memory: GuestMemory(buffer: memory), interrupt: interrupt, arguments: arguments),
                    WASI.implementations[name])
    }

    // MARK: Descriptor table

    func entry(_ fd: UInt32) throws(WASICallError) -> FileEntry {
        guard let entry = files[fd] else { throw WASICallError(.badFileDescriptor) }
        return entry
    }

    /// The entry for `fd`, which must hold all of `rights`; a missing
    /// right is a denial.
    func entry(_ fd: UInt32, requiring rights: WASIRights) throws(WASICallError) -> FileEntry {
        let entry = try entry(fd)
        guard entry.rightsBase.isSuperset(of: rights) else {
            let missing = WASIRights(rawValue: rights.rawValue & ~entry.rightsBase.rawValue)
            throw .denied("fd \(fd) lacks rights \(WASI.rightNames(missing))")
        }
        return entry
    }

    /// A directory entry holding `rights`, for path calls.
    func directory(_ fd: UInt32, requiring rights: WASIRights) throws(WASICallError) -> (FileEntry, HostFileDescriptor) {
        let entry = try entry(fd)
        guard case .directory(let host) = entry.kind else { throw WASICallError(.notDirectory) }
        guard entry.rightsBase.isSuperset(of: rights) else {
            let missing = WASIRights(rawValue: rights.rawValue & ~entry.rightsBase.rawValue)
            let readOnly = missing.isSubset(of: .mutating) && !entry.rightsBase.contains(.pathCreateFile)
            throw .denied((readOnly ? "read-only directory: " : "") + "fd \(fd) lacks rights \(WASI.rightNames(missing))")
        }
        return (entry, host)
    }

    /// Adds `entry` under the lowest free descriptor number.
    func insert(_ entry: FileEntry) throws(WASICallError) -> UInt32 {
        guard files.count < configuration.maxOpenFiles else {
            entry.close()
            throw WASICallError(.tooManyFiles)
        }
        var fd: UInt32 = 0
        while files[fd] != nil { fd += 1 }
        files[fd] = entry
        return fd
    }

    static func rightNames(_ rights: WASIRights) -> String {
        let names = ["fd_datasync", "fd_read", "fd_seek", "fd_fdstat_set_flags", "fd_sync", "fd_tell", "fd_write",
                     "fd_advise", "fd_allocate", "path_create_directory", "path_create_file", "path_link_source",
                     "path_link_target", "path_open", "fd_readdir", "path_readlink", "path_rename_source",
                     "path_rename_target", "path_filestat_get", "path_filestat_set_size", "path_filestat_set_times",
                     "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "path_symlink",
                     "path_remove_directory", "path_unlink_file", "poll_fd_readwrite", "sock_shutdown", "sock_accept"]
        return names.enumerated().filter { rights.rawValue & (1 << UInt64($0.offset)) != 0 }.map(\.element)
            .joined(separator: ",")
    }
}
