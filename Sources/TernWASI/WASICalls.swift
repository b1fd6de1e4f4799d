#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import TernEngine

/// The preview1 calls. Parameters are read from `CallContext` by position
/// (as declared in `WASISignatures.swift`); guest pointers and lengths are
/// `UInt32` and only ever used through `GuestMemory`; sizes from the guest
/// are combined with 64-bit or checked arithmetic so no guest value can
/// overflow.
extension WASI {
    // MARK: Arguments and environment

    private func require(_ capability: WASICapabilities, _ name: String) throws(WASICallError) {
        guard configuration.capabilities.contains(capability) else {
            throw .denied("capability '\(name)' not granted")
        }
    }

    /// Writes NUL-terminated `strings` into the guest's buffer at `buffer`
    /// and their addresses into the pointer array at `pointers`.
    private func writeStrings(_ strings: [String], pointers: UInt32, buffer: UInt32, memory: GuestMemory) throws(WASICallError) {
        var offset = UInt64(buffer)
        for (index, string) in strings.enumerated() {
            guard let address = UInt32(exactly: offset) else { throw WASICallError(.fault) }
            let slot = UInt64(pointers) + UInt64(index) * 4
            guard let slotAddress = UInt32(exactly: slot) else { throw WASICallError(.fault) }
            try memory.storeUInt32(address, at: slotAddress)
            var bytes = Array(string.utf8)
            bytes.append(0)
            try memory.write(bytes, at: address)
            offset += UInt64(bytes.count)
        }
    }

    private func writeSizes(_ strings: [String], count: UInt32, size: UInt32, memory: GuestMemory) throws(WASICallError) {
        let total = strings.reduce(0) { $0 + $1.utf8.count + 1 }
        guard let total32 = UInt32(exactly: total), let count32 = UInt32(exactly: strings.count) else {
            throw WASICallError(.overflow)
        }
        try memory.storeUInt32(count32, at: count)
        try memory.storeUInt32(total32, at: size)
    }

    var environmentStrings: [String] { configuration.environment.map { "\($0.name)=\($0.value)" } }

    func argsGet(_ c: CallContext) throws(WASICallError) {
        try require(.arguments, "args")
        try writeStrings(configuration.arguments, pointers: c.u32(0), buffer: c.u32(1), memory: c.memory)
    }

    func argsSizesGet(_ c: CallContext) throws(WASICallError) {
        try require(.arguments, "args")
        try writeSizes(configuration.arguments, count: c.u32(0), size: c.u32(1), memory: c.memory)
    }

    func environGet(_ c: CallContext) throws(WASICallError) {
        try require(.environment, "env")
        try writeStrings(environmentStrings, pointers: c.u32(0), buffer: c.u32(1), memory: c.memory)
    }

    func environSizesGet(_ c: CallContext) throws(WASICallError) {
        try require(.environment, "env")
        try writeSizes(environmentStrings, count: c.u32(0), size: c.u32(1), memory: c.memory)
    }

    // MARK: Clocks and randomness

    private func hostClock(_ id: UInt32) throws(WASICallError) -> clockid_t {
        switch id {
        case WASIFlags.clockRealtime: CLOCK_REALTIME
        case WASIFlags.clockMonotonic: CLOCK_MONOTONIC
        case WASIFlags.clockProcessCPUTime: CLOCK_PROCESS_CPUTIME_ID
        case WASIFlags.clockThreadCPUTime: CLOCK_THREAD_CPUTIME_ID
        default: throw WASICallError(.invalid)
        }
    }

    func clockResGet(_ c: CallContext) throws(WASICallError) {
        try require(.clock, "clock")
        let clock = try hostClock(c.u32(0))
        let resolution: UInt64
        do { resolution = try HostSystem.resolution(clock) } catch { throw WASICallError(error) }
        try c.memory.storeUInt64(resolution, at: c.u32(1))
    }

    func clockTimeGet(_ c: CallContext) throws(WASICallError) {
        try require(.clock, "clock")
        let clock = try hostClock(c.u32(0))
        let now: UInt64
        do { now = try HostSystem.time(clock) } catch { throw WASICallError(error) }
        try c.memory.storeUInt64(now, at: c.u32(2))
    }

    func randomGet(_ c: CallContext) throws(WASICallError) {
        try require(.random, "random")
        try c.memory.withBytes(at: c.u32(0), count: c.u32(1)) { (buffer) throws(WASICallError) in
            HostSystem.fillRandom(buffer)
        }
    }

    // MARK: Reading and writing

    /// Where one vector of an fd_read/fd_write family call transfers: the
    /// call's offset (0 unless positioned) plus the bytes this call has
    /// already transferred.
    private struct TransferPosition {
        let offset: Int64
        let done: UInt64

        /// `offset + done`, or `overflow` when it exceeds Int64.
        func value(orThrow overflow: WASIErrno) throws(WASICallError) -> Int64 {
            // offset <= Int64.max and done < 2^32: checked sum.
            let (position, overflowed) = offset.addingReportingOverflow(Int64(done))
            if overflowed { throw WASICallError(overflow) }
            return position
        }
    }

    /// The skeleton of fd_write/fd_pwrite and fd_read/fd_pread: checks
    /// `right` (with fd_seek too when `positioned`), reads the iovec list
    /// and the optional offset, runs `perVector` on each non-empty vector
    /// until one transfers short or the u32 total would overflow, and
    /// stores the total. `perVector` gets the descriptor's kind, the guest
    /// buffer and its position, and returns the bytes it transferred.
    private func transfer(
        _ c: CallContext, positioned: Bool, requiring right: WASIRights,
        perVector: (FileEntry.Kind, UnsafeMutableRawBufferPointer, TransferPosition) throws(WASICallError) -> Int
    ) throws(WASICallError) {
        let fd = c.u32(0)
        let entry = try self.entry(fd, requiring: positioned ? [right, .fdSeek] : right)
        let vectors = try c.memory.ioVectors(at: c.u32(1), count: c.u32(2))
        var offset: Int64 = 0
        if positioned {
            guard let start = Int64(exactly: c.u64(3)) else { throw WASICallError(.invalid) }
            offset = start
        }
        let resultPointer = c.u32(positioned ? 4 : 3)
        var total: UInt64 = 0
        for vector in vectors where vector.length > 0 {
            // The count returned is a u32: stop before it would overflow.
            guard total + UInt64(vector.length) <= UInt64(UInt32.max) else { break }
            let position = TransferPosition(offset: offset, done: total)
            let transferred: Int = try c.memory.withBytes(at: vector.pointer, count: vector.length) {
                (bytes) throws(WASICallError) -> Int in
                try perVector(entry.kind, bytes, position)
            }
            total += UInt64(transferred)
            if transferred < Int(vector.length) { break }
        }
        try c.memory.storeUInt32(UInt32(total), at: resultPointer)
    }

    func fdWrite(_ c: CallContext, positioned: Bool) throws(WASICallError) {
        try transfer(c, positioned: positioned, requiring: .fdWrite) { (kind, bytes, position) throws(WASICallError) -> Int in
            let source = UnsafeRawBufferPointer(bytes)
            switch kind {
            case .output(let sink):
                if positioned { throw WASICallError(.invalidSeek) }
                do throws(WASIErrno) { try sink.write(source) } catch { throw WASICallError(error) }
                return source.count
            case .file(let host):
                let at = try position.value(orThrow: .fileTooBig)
                do throws(HostErrno) {
                    return positioned ? try host.write(source, at: at) : try host.write(source)
                } catch {
                    throw WASICallError(error)
                }
            case .directory:
                throw WASICallError(.isDirectory)
            case .input:
                throw WASICallError(.badFileDescriptor)
            }
        }
    }

    func fdRead(_ c: CallContext, positioned: Bool) throws(WASICallError) {
        try transfer(c, positioned: positioned, requiring: .fdRead) { (kind, bytes, position) throws(WASICallError) -> Int in
            switch kind {
            case .input(let source):
                if positioned { throw WASICallError(.invalidSeek) }
                do throws(WASIErrno) { return try source.read(into: bytes) } catch { throw WASICallError(error) }
            case .file(let host):
                let at = try position.value(orThrow: .overflow)
                do throws(HostErrno) {
                    return positioned ? try host.read(into: bytes, at: at) : try host.read(into: bytes)
                } catch {
                    throw WASICallError(error)
                }
            case .directory:
                throw WASICallError(.isDirectory)
            case .output:
                throw WASICallError(.badFileDescriptor)
            }
        }
    }

    func fdSeek(_ c: CallContext) throws(WASICallError) {
        let fd = c.u32(0)
        let delta = Int64(bitPattern: c.u64(1))
        let whence: Int32
        switch UInt8(truncatingIfNeeded: c.u32(2)) {
        case WASIFlags.whenceSet: whence = SEEK_SET
        case WASIFlags.whenceCur: whence = SEEK_CUR
        case WASIFlags.whenceEnd: whence = SEEK_END
        default: throw WASICallError(.invalid)
        }
        // A pure query of the position only needs fd_tell.
        let rights: WASIRights = whence == SEEK_CUR && delta == 0 ? .fdTell : .fdSeek
        let entry = try self.entry(fd, requiring: rights)
        guard let host = entry.hostDescriptor else { throw WASICallError(.invalidSeek) }
        let position: Int64
        do { position = try host.seek(offset: delta, whence: whence) } catch { throw WASICallError(error) }
        try c.memory.storeUInt64(UInt64(position), at: c.u32(3))
    }

    func fdTell(_ c: CallContext) throws(WASICallError) {
        let entry = try self.entry(c.u32(0), requiring: .fdTell)
        guard let host = entry.hostDescriptor else { throw WASICallError(.invalidSeek) }
        let position: Int64
        do { position = try host.seek(offset: 0, whence: SEEK_CUR) } catch { throw WASICallError(error) }
        try c.memory.storeUInt64(UInt64(position), at: c.u32(1))
    }

    func fdSync(_ c: CallContext, dataOnly: Bool) throws(WASICallError) {
        let entry = try self.entry(c.u32(0), requiring: dataOnly ? .fdDatasync : .fdSync)
        guard let host = entry.hostDescriptor else { return }
        do {
            if dataOnly { try host.dataSync() } else { try host.sync() }
        } catch {
            throw WASICallError(error)
        }
    }

    func fdAdvise(_ c: CallContext) throws(WASICallError) {
        _ = try entry(c.u32(0), requiring: .fdAdvise)
        guard c.u32(3) <= 5 else { throw WASICallError(.invalid) }
        // Advice is only a hint: accepted and ignored.
    }

    func fdClose(_ c: CallContext) throws(WASICallError) {
        let fd = c.u32(0)
        guard let entry = files.removeValue(forKey: fd) else { throw WASICallError(.badFileDescriptor) }
        entry.close()
    }

    func fdRenumber(_ c: CallContext) throws(WASICallError) {
        let from = c.u32(0), to = c.u32(1)
        guard let entry = files[from], let replaced = files[to] else { throw WASICallError(.badFileDescriptor) }
        guard from != to else { return }
        replaced.close()
        files[to] = entry
        files[from] = nil
    }

    // MARK: Descriptor metadata

    func fdFdstatGet(_ c: CallContext) throws(WASICallError) {
        let entry = try entry(c.u32(0))
        var flags: UInt16 = entry.streamFlags
        if let host = entry.hostDescriptor {
            let status: Int32
            do { status = try host.statusFlags() } catch { throw WASICallError(error) }
            flags = 0
            if status & O_APPEND != 0 { flags |= WASIFlags.fdflagsAppend }
            if status & O_DSYNC != 0 { flags |= WASIFlags.fdflagsDsync }
            if status & O_NONBLOCK != 0 { flags |= WASIFlags.fdflagsNonblock }
            if status & O_SYNC == O_SYNC { flags |= WASIFlags.fdflagsSync }
        }
        let pointer = c.u32(1)
        try c.memory.withBytes(at: pointer, count: 24) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw[0] = entry.fileType.rawValue
            raw.storeBytes(of: flags.littleEndian, toByteOffset: 2, as: UInt16.self)
            raw.storeBytes(of: entry.rightsBase.rawValue.littleEndian, toByteOffset: 8, as: UInt64.self)
            raw.storeBytes(of: entry.rightsInheriting.rawValue.littleEndian, toByteOffset: 16, as: UInt64.self)
        }
    }

    func fdFdstatSetFlags(_ c: CallContext) throws(WASICallError) {
        let entry = try entry(c.u32(0), requiring: .fdFdstatSetFlags)
        let flags = UInt16(truncatingIfNeeded: c.u32(1))
        guard let host = entry.hostDescriptor else {
            entry.streamFlags = flags & (WASIFlags.fdflagsAppend | WASIFlags.fdflagsNonblock)
            return
        }
        do {
            var status = try host.statusFlags()
            status &= ~(O_APPEND | O_NONBLOCK)
            if flags & WASIFlags.fdflagsAppend != 0 { status |= O_APPEND }
            if flags & WASIFlags.fdflagsNonblock != 0 { status |= O_NONBLOCK }
            try host.setStatusFlags(status)
        } catch {
            throw WASICallError(error)
        }
    }

    func fdFdstatSetRights(_ c: CallContext) throws(WASICallError) {
        let entry = try entry(c.u32(0))
        let base = WASIRights(rawValue: c.u64(1)), inheriting = WASIRights(rawValue: c.u64(2))
        // Rights can only be dropped, never gained.
        guard base.isSubset(of: entry.rightsBase), inheriting.isSubset(of: entry.rightsInheriting) else {
            throw .denied("fd_fdstat_set_rights cannot add rights")
        }
        entry.rightsBase = base
        entry.rightsInheriting = inheriting
    }

    /// Writes a 64-byte `filestat`.
    private func writeFilestat(_ status: stat, at pointer: UInt32, memory: GuestMemory) throws(WASICallError) {
        func nanoseconds(_ time: timespec) -> UInt64 {
            UInt64(truncatingIfNeeded: time.tv_sec) &* 1_000_000_000 &+ UInt64(truncatingIfNeeded: time.tv_nsec)
        }
        try memory.withBytes(at: pointer, count: 64) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.storeBytes(of: UInt64(status.st_dev).littleEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: UInt64(status.st_ino).littleEndian, toByteOffset: 8, as: UInt64.self)
            raw[16] = WASIFileType(mode: status.st_mode).rawValue
            raw.storeBytes(of: UInt64(status.st_nlink).littleEndian, toByteOffset: 24, as: UInt64.self)
            raw.storeBytes(of: UInt64(truncatingIfNeeded: status.st_size).littleEndian, toByteOffset: 32, as: UInt64.self)
            raw.storeBytes(of: nanoseconds(status.st_atim).littleEndian, toByteOffset: 40, as: UInt64.self)
            raw.storeBytes(of: nanoseconds(status.st_mtim).littleEndian, toByteOffset: 48, as: UInt64.self)
            raw.storeBytes(of: nanoseconds(status.st_ctim).littleEndian, toByteOffset: 56, as: UInt64.self)
        }
    }

    func fdFilestatGet(_ c: CallContext) throws(WASICallError) {
        let entry = try entry(c.u32(0), requiring: .fdFilestatGet)
        guard let host = entry.hostDescriptor else {
            // A stream: a character device with nothing else to tell.
            try c.memory.withBytes(at: c.u32(1), count: 64) { raw in
                raw.initializeMemory(as: UInt8.self, repeating: 0)
                raw[16] = WASIFileType.characterDevice.rawValue
            }
            return
        }
        let status: stat
        do { status = try host.status() } catch { throw WASICallError(error) }
        try writeFilestat(status, at: c.u32(1), memory: c.memory)
    }

    func fdFilestatSetSize(_ c: CallContext) throws(WASICallError) {
        let entry = try entry(c.u32(0), requiring: .fdFilestatSetSize)
        guard case .file(let host) = entry.kind else { throw WASICallError(.invalid) }
        guard let size = Int64(exactly: c.u64(1)) else { throw WASICallError(.fileTooBig) }
        do { try host.truncate(to: size) } catch { throw WASICallError(error) }
    }

    // MARK: Preopens and directories

    func fdPrestatGet(_ c: CallContext) throws(WASICallError) {
        let entry = try entry(c.u32(0))
        guard let name = entry.preopenName else { throw WASICallError(.badFileDescriptor) }
        try c.memory.withBytes(at: c.u32(1), count: 8) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)  // tag 0: directory
            raw.storeBytes(of: UInt32(name.count).littleEndian, toByteOffset: 4, as: UInt32.self)
        }
    }

    func fdPrestatDirName(_ c: CallContext) throws(WASICallError) {
        let entry = try entry(c.u32(0))
        guard let name = entry.preopenName else { throw WASICallError(.badFileDescriptor) }
        guard c.u32(2) >= UInt32(name.count) else { throw WASICallError(.nameTooLong) }
        try c.memory.write(name, at: c.u32(1))
    }

    func fdReaddir(_ c: CallContext) throws(WASICallError) {
        let entry = try entry(c.u32(0), requiring: .fdReaddir)
        guard case .directory(let host) = entry.kind else { throw WASICallError(.notDirectory) }
        let buffer = c.u32(1), capacity = Int(c.u32(2)), cookie = c.u64(3), usedPointer = c.u32(4)
        if cookie == 0 || entry.directoryCache == nil {
            do { entry.directoryCache = try host.directoryEntries() } catch { throw WASICallError(error) }
        }
        let entries = entry.directoryCache ?? []
        var output: [UInt8] = []
        var index = cookie <= UInt64(entries.count) ? Int(cookie) : entries.count
        while index < entries.count, output.count < capacity {
            let dirent = entries[index]
            var type = WASIFileType(direntType: dirent.type)
            if type == .unknown, let status = try? host.status(of: dirent.name) {
                type = WASIFileType(mode: status.st_mode)
            }
            var header = [UInt8](repeating: 0, count: 24)
            header.withUnsafeMutableBytes { raw in
                raw.storeBytes(of: UInt64(index + 1).littleEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: dirent.inode.littleEndian, toByteOffset: 8, as: UInt64.self)
                raw.storeBytes(of: UInt32(dirent.name.count).littleEndian, toByteOffset: 16, as: UInt32.self)
                raw[20] = type.rawValue
            }
            output += header
            output += dirent.name
            index += 1
        }
        // A full buffer tells the guest to call again (the last entry may be cut).
        let used = min(output.count, capacity)
        try c.memory.write(output[0..<used], at: buffer)
        try c.memory.storeUInt32(UInt32(used), at: usedPointer)
    }

    // MARK: Paths

    /// Reads a guest path of `length` bytes at `pointer`.
    private func guestPath(_ c: CallContext, pointer: UInt32, length: UInt32) throws(WASICallError) -> [UInt8] {
        guard length <= UInt32(PathResolver.maxPathLength) else { throw WASICallError(.nameTooLong) }
        return try c.memory.read(at: pointer, count: length)
    }

    /// Resolves a path argument beneath directory `fd`.
    private func resolve(_ c: CallContext, fd: UInt32, pointer: UInt32, length: UInt32, rights: WASIRights,
                         follow: Bool) throws(WASICallError) -> ResolvedPath {
        let (_, directory) = try self.directory(fd, requiring: rights)
        let path = try guestPath(c, pointer: pointer, length: length)
        return try PathResolver.resolve(path, beneath: directory, followFinalSymlink: follow)
    }

    func pathOpen(_ c: CallContext) throws(WASICallError) {
        let fd = c.u32(0), lookupFlags = c.u32(1)
        let openFlags = UInt16(truncatingIfNeeded: c.u32(4))
        let requestedBase = WASIRights(rawValue: c.u64(5)), requestedInheriting = WASIRights(rawValue: c.u64(6))
        let fdFlags = UInt16(truncatingIfNeeded: c.u32(7))
        let resultPointer = c.u32(8)

        var needed: WASIRights = .pathOpen
        if openFlags & WASIFlags.oflagsCreat != 0 { needed.insert(.pathCreateFile) }
        if openFlags & WASIFlags.oflagsTrunc != 0 { needed.insert(.pathFilestatSetSize) }
        let (parent, _) = try directory(fd, requiring: needed)
        // Rights beyond what the directory passes on are dropped (as
        // wasi-libc expects: it asks for every right and keeps what it gets).
        let base = requestedBase.intersection(parent.rightsInheriting)
        let inheriting = requestedInheriting.intersection(parent.rightsInheriting)

        let resolved = try resolve(c, fd: fd, pointer: c.u32(2), length: c.u32(3), rights: needed,
                                   follow: lookupFlags & WASIFlags.lookupSymlinkFollow != 0)
        defer { resolved.close() }

        let wantsRead = !base.isDisjoint(with: [.fdRead, .fdReaddir])
        let wantsWrite = !base.isDisjoint(with: [.fdWrite, .fdDatasync, .fdAllocate, .fdFilestatSetSize])
        let wantsDirectory = openFlags & WASIFlags.oflagsDirectory != 0 || resolved.mustBeDirectory
        // Directories are only ever opened for reading (writing one is
        // meaningless and fails with EISDIR).
        var flags: Int32 = wantsWrite && !wantsDirectory ? (wantsRead ? O_RDWR : O_WRONLY) : O_RDONLY
        // Never let the kernel follow a symlink; never block opening a FIFO.
        flags |= O_NOFOLLOW | O_NONBLOCK
        if openFlags & WASIFlags.oflagsCreat != 0 { flags |= O_CREAT }
        if openFlags & WASIFlags.oflagsExcl != 0 { flags |= O_EXCL }
        if openFlags & WASIFlags.oflagsTrunc != 0 { flags |= O_TRUNC }
        if wantsDirectory { flags |= O_DIRECTORY }
        if fdFlags & WASIFlags.fdflagsAppend != 0 { flags |= O_APPEND }
        if fdFlags & WASIFlags.fdflagsDsync != 0 { flags |= O_DSYNC }
        if fdFlags & WASIFlags.fdflagsSync != 0 { flags |= O_SYNC }

        let host: HostFileDescriptor
        do {
            host = try HostFileDescriptor.open(at: resolved.directory, resolved.name, flags: flags)
        } catch {
            throw WASICallError(error)
        }
        let status: stat
        do {
            status = try host.status()
            if fdFlags & WASIFlags.fdflagsNonblock == 0 {
                try host.setStatusFlags(try host.statusFlags() & ~O_NONBLOCK)
            }
        } catch {
            host.close()
            throw WASICallError(error)
        }
        let type = WASIFileType(mode: status.st_mode)
        let entry = FileEntry(kind: type == .directory ? .directory(host) : .file(host), fileType: type,
                              rightsBase: base, rightsInheriting: inheriting)
        let newFD = try insert(entry)
        do {
            try c.memory.storeUInt32(newFD, at: resultPointer)
        } catch {
            files[newFD] = nil
            entry.close()
            throw error
        }
    }

    func pathCreateDirectory(_ c: CallContext) throws(WASICallError) {
        let resolved = try resolve(c, fd: c.u32(0), pointer: c.u32(1), length: c.u32(2),
                                   rights: .pathCreateDirectory, follow: false)
        defer { resolved.close() }
        do { try resolved.directory.makeDirectory(resolved.name) } catch { throw WASICallError(error) }
    }

    func pathRemove(_ c: CallContext, directory: Bool) throws(WASICallError) {
        let resolved = try resolve(c, fd: c.u32(0), pointer: c.u32(1), length: c.u32(2),
                                   rights: directory ? .pathRemoveDirectory : .pathUnlinkFile, follow: false)
        defer { resolved.close() }
        if !directory && resolved.mustBeDirectory { throw WASICallError(.isDirectory) }
        do { try resolved.directory.unlink(resolved.name, directory: directory) } catch { throw WASICallError(error) }
    }

    func pathRename(_ c: CallContext) throws(WASICallError) {
        let source = try resolve(c, fd: c.u32(0), pointer: c.u32(1), length: c.u32(2),
                                 rights: .pathRenameSource, follow: false)
        defer { source.close() }
        let target = try resolve(c, fd: c.u32(3), pointer: c.u32(4), length: c.u32(5),
                                 rights: .pathRenameTarget, follow: false)
        defer { target.close() }
        do {
            try source.directory.rename(source.name, to: target.directory, target.name)
        } catch {
            throw WASICallError(error)
        }
    }

    func pathFilestatGet(_ c: CallContext) throws(WASICallError) {
        let resolved = try resolve(c, fd: c.u32(0), pointer: c.u32(2), length: c.u32(3), rights: .pathFilestatGet,
                                   follow: c.u32(1) & WASIFlags.lookupSymlinkFollow != 0)
        defer { resolved.close() }
        let status: stat
        do { status = try resolved.directory.status(of: resolved.name) } catch { throw WASICallError(error) }
        if resolved.mustBeDirectory && status.st_mode & S_IFMT != S_IFDIR { throw WASICallError(.notDirectory) }
        try writeFilestat(status, at: c.u32(4), memory: c.memory)
    }

    func pathReadlink(_ c: CallContext) throws(WASICallError) {
        let resolved = try resolve(c, fd: c.u32(0), pointer: c.u32(1), length: c.u32(2), rights: .pathReadlink,
                                   follow: false)
        defer { resolved.close() }
        let target: [UInt8]
        do { target = try resolved.directory.readLink(resolved.name) } catch { throw WASICallError(error) }
        let count = min(target.count, Int(c.u32(4)))
        try c.memory.write(target[0..<count], at: c.u32(3))
        try c.memory.storeUInt32(UInt32(count), at: c.u32(5))
    }

    // MARK: Polling

    /// Clock subscriptions sleep (with the `clock` capability) until the
    /// earliest timeout; fd subscriptions are reported ready at once
    /// (standard streams and files never block here). The sleep is cut into
    /// slices that check the store's interrupt flag, so a deadline stops a
    /// sleeping guest too.
    func pollOneoff(_ c: CallContext) throws(WASICallError) {
        let input = c.u32(0), output = c.u32(1), count = c.u32(2), resultPointer = c.u32(3)
        guard count > 0 else { throw WASICallError(.invalid) }
        let subscriptionBytes = UInt64(count) * 48
        guard subscriptionBytes <= UInt64(UInt32.max), UInt64(count) * 32 <= UInt64(UInt32.max) else {
            throw WASICallError(.fault)
        }
        let subscriptions = try c.memory.read(at: input, count: UInt32(subscriptionBytes))
        struct Event { var userdata: UInt64; var error: WASIErrno; var type: UInt8 }
        var immediate: [Event] = []
        var timers: [(userdata: UInt64, deadline: UInt64, error: WASIErrno)] = []
        let now: UInt64
        do { now = try HostSystem.time(CLOCK_MONOTONIC) } catch { throw WASICallError(error) }
        for index in 0..<Int(count) {
            let base = index * 48
            let (userdata, tag, clockID, timeout, clockFlags, fd) = subscriptions.withUnsafeBytes { raw in
                (raw.loadUnaligned(fromByteOffset: base, as: UInt64.self),
                 raw[base + 8],
                 raw.loadUnaligned(fromByteOffset: base + 16, as: UInt32.self),
                 raw.loadUnaligned(fromByteOffset: base + 24, as: UInt64.self),
                 raw.loadUnaligned(fromByteOffset: base + 40, as: UInt16.self),
                 raw.loadUnaligned(fromByteOffset: base + 16, as: UInt32.self))
            }
            switch tag {
            case WASIFlags.eventTypeClock:
                guard configuration.capabilities.contains(.clock) else {
                    throw .denied("capability 'clock' not granted")
                }
                let isAbsolute = clockFlags & WASIFlags.subscriptionClockAbstime != 0
                var deadline: UInt64
                switch clockID {
                case WASIFlags.clockMonotonic:
                    deadline = isAbsolute ? timeout : now.addingReportingOverflow(timeout).partialValue
                    if !isAbsolute && now > UInt64.max - timeout { deadline = .max }
                case WASIFlags.clockRealtime:
                    if isAbsolute {
                        let wallNow = (try? HostSystem.time(CLOCK_REALTIME)) ?? 0
                        let delta = timeout > wallNow ? timeout - wallNow : 0
                        deadline = now > UInt64.max - delta ? .max : now + delta
                    } else {
                        deadline = now > UInt64.max - timeout ? .max : now + timeout
                    }
                default:
                    timers.append((userdata, now, .invalid))
                    continue
                }
                timers.append((userdata, deadline, .success))
            case WASIFlags.eventTypeFdRead, WASIFlags.eventTypeFdWrite:
                let error: WASIErrno
                if let entry = files[fd] {
                    error = entry.rightsBase.contains(.pollFdReadwrite) ? .success : .notCapable
                } else {
                    error = .badFileDescriptor
                }
                immediate.append(Event(userdata: userdata, error: error, type: tag))
            default:
                throw WASICallError(.invalid)
            }
        }
        if immediate.isEmpty, let earliest = timers.map(\.deadline).min() {
            while true {
                if c.interrupt?.isInterrupted == true { throw WASICallError(trap: Trap(.deadlineExceeded)) }
                let current = (try? HostSystem.time(CLOCK_MONOTONIC)) ?? earliest
                if current >= earliest { break }
                HostSystem.sleep(nanoseconds: min(earliest - current, 10_000_000))
            }
        }
        let after = (try? HostSystem.time(CLOCK_MONOTONIC)) ?? now
        var events = immediate
        for timer in timers where timer.deadline <= after || timer.error != .success {
            events.append(Event(userdata: timer.userdata, error: timer.error, type: WASIFlags.eventTypeClock))
        }
        for (index, event) in events.enumerated() {
            guard let address = UInt32(exactly: UInt64(output) + UInt64(index) * 32) else { throw WASICallError(.fault) }
            try c.memory.withBytes(at: address, count: 32) { raw in
                raw.initializeMemory(as: UInt8.self, repeating: 0)
                raw.storeBytes(of: event.userdata.littleEndian, toByteOffset: 0, as: UInt64.self)
                raw.storeBytes(of: event.error.rawValue.littleEndian, toByteOffset: 8, as: UInt16.self)
                raw[10] = event.type
            }
        }
        try c.memory.storeUInt32(UInt32(events.count), at: resultPointer)
    }
}
