import TernEngine

/// The guest's linear memory as WASI calls see it: every pointer and length
/// is a guest `u32`, every access is bounds-checked, and an access outside
/// the memory fails the call with `EFAULT` instead of touching anything.
///
/// Backed by the engine's `Memory` (itself bounds-checked) or, in unit
/// tests, by a plain buffer.
struct GuestMemory {
    private enum Backing {
        case engine(Memory)
        case buffer(UnsafeMutableRawBufferPointer)
    }

    private let backing: Backing

    init(_ memory: Memory) { backing = .engine(memory) }
    init(buffer: UnsafeMutableRawBufferPointer) { backing = .buffer(buffer) }

    var byteCount: Int {
        switch backing {
        case .engine(let memory): memory.byteCount
        case .buffer(let buffer): buffer.count
        }
    }

    /// Calls `body` with the `count` bytes at `pointer`; `EFAULT` if they are
    /// not all inside the memory. The buffer must not escape `body`.
    func withBytes<R>(at pointer: UInt32, count: UInt32,
                      _ body: (UnsafeMutableRawBufferPointer) throws(WASICallError) -> R) throws(WASICallError) -> R {
        let offset = Int(pointer), length = Int(count)
        // Both are below 2^32, so the sum cannot overflow an Int.
        guard offset + length <= byteCount else { throw WASICallError(.fault) }
        switch backing {
        case .buffer(let buffer):
            return try body(UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + length]))
        case .engine(let memory):
            let result: Result<R, WASICallError>
            do {
                result = try memory.withUnsafeMutableBytes(at: offset, count: length) { bytes in
                    do throws(WASICallError) { return .success(try body(bytes)) } catch { return .failure(error) }
                }
            } catch {
                throw WASICallError(.fault)
            }
            return try result.get()
        }
    }

    func read(at pointer: UInt32, count: UInt32) throws(WASICallError) -> [UInt8] {
        try withBytes(at: pointer, count: count) { Array($0) }
    }

    func write(_ bytes: some Collection<UInt8>, at pointer: UInt32) throws(WASICallError) {
        guard bytes.count <= Int(UInt32.max) else { throw WASICallError(.fault) }
        try withBytes(at: pointer, count: UInt32(bytes.count)) { target in
            target.copyBytes(from: bytes)
        }
    }

    func loadUInt8(at pointer: UInt32) throws(WASICallError) -> UInt8 {
        try withBytes(at: pointer, count: 1) { $0[0] }
    }

    func loadUInt16(at pointer: UInt32) throws(WASICallError) -> UInt16 {
        try withBytes(at: pointer, count: 2) { UInt16(littleEndian: $0.loadUnaligned(as: UInt16.self)) }
    }

    func loadUInt32(at pointer: UInt32) throws(WASICallError) -> UInt32 {
        try withBytes(at: pointer, count: 4) { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
    }

    func loadUInt64(at pointer: UInt32) throws(WASICallError) -> UInt64 {
        try withBytes(at: pointer, count: 8) { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    }

    func storeUInt8(_ value: UInt8, at pointer: UInt32) throws(WASICallError) {
        try withBytes(at: pointer, count: 1) { $0[0] = value }
    }

    func storeUInt16(_ value: UInt16, at pointer: UInt32) throws(WASICallError) {
        try withBytes(at: pointer, count: 2) { $0.storeBytes(of: value.littleEndian, as: UInt16.self) }
    }

    func storeUInt32(_ value: UInt32, at pointer: UInt32) throws(WASICallError) {
        try withBytes(at: pointer, count: 4) { $0.storeBytes(of: value.littleEndian, as: UInt32.self) }
    }

    func storeUInt64(_ value: UInt64, at pointer: UInt32) throws(WASICallError) {
        try withBytes(at: pointer, count: 8) { $0.storeBytes(of: value.littleEndian, as: UInt64.self) }
    }

    /// The `(buf, buf_len)` pairs of an iovec/ciovec array of `count` entries
    /// (8 bytes each), read after checking the whole array is in bounds.
    func ioVectors(at pointer: UInt32, count: UInt32) throws(WASICallError) -> [(pointer: UInt32, length: UInt32)] {
        let byteCount = UInt64(count) * 8
        guard byteCount <= UInt64(UInt32.max) else { throw WASICallError(.fault) }
        return try withBytes(at: pointer, count: UInt32(byteCount)) { raw in
            (0..<Int(count)).map { index in
                (pointer: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt32.self)),
                 length: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8 + 4, as: UInt32.self)))
            }
        }
    }
}
