import TernFormat

/// SplitMix64: a tiny, fast generator with a fixed seed, so that robustness
/// tests see the same inputs on every run and a failure can be replayed.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (`bound` > 0).
    public mutating func below(_ bound: Int) -> Int {
        Int(next(upperBound: UInt64(bound)))
    }
}

/// An endless, deterministic stream of byte strings for robustness tests of
/// everything that consumes untrusted binaries (decoder, validator,
/// instantiation): mutations of well-formed seed modules, which get past the
/// header and mostly through the section framing, and random sections behind
/// a valid header. Most outputs are malformed; a consumer must return or
/// throw for every one of them, never crash or hang.
///
/// The exhaustive prefix family (every truncation of every seed) is
/// separate: see `truncations(of:)`.
public struct ModuleMutator: Sequence, IteratorProtocol {
    private let seeds: [Seed]
    private var random: SplitMix64

    /// A seed module with the positions that mutations aim at: the section
    /// sizes and the first bytes of section contents (mostly vector counts).
    private struct Seed {
        var bytes: [UInt8]
        var lengthFieldOffsets: [Int]
    }

    public init(seeds: [[UInt8]], randomSeed: UInt64) {
        precondition(!seeds.isEmpty, "ModuleMutator needs at least one seed module")
        self.seeds = seeds.map { Seed(bytes: $0, lengthFieldOffsets: Self.lengthFieldOffsets(in: $0)) }
        random = SplitMix64(seed: randomSeed)
    }

    /// Every proper prefix of every seed that is longer than the header.
    public static func truncations(of seeds: [[UInt8]]) -> [[UInt8]] {
        seeds.flatMap { seed in (Wasm.header.count..<seed.count).map { Array(seed[..<$0]) } }
    }

    /// The next input; the stream never ends.
    public mutating func next() -> [UInt8]? {
        // One in sixteen inputs is random bytes and one in sixteen random
        // sections, behind a valid header; the rest are seeds with one to
        // three stacked mutations.
        switch random.below(16) {
        case 0: return Wasm.header + (0..<random.below(64)).map { _ in interestingByte() }
        case 1: return randomSections()
        default: break
        }
        let seed = seeds[random.below(seeds.count)]
        var bytes = seed.bytes
        for _ in 0...random.below(3) {
            mutate(&bytes, lengthFields: seed.lengthFieldOffsets)
        }
        return bytes
    }

    // MARK: Mutations

    private mutating func mutate(_ bytes: inout [UInt8], lengthFields: [Int]) {
        guard !bytes.isEmpty else { return }
        switch random.below(8) {
        case 0:
            let bit = UInt8(1) << UInt8(random.below(8))
            bytes[index(in: bytes)] ^= bit
        case 1:
            bytes[index(in: bytes)] = interestingByte()
        case 2:
            let insertion = (0...random.below(8)).map { _ in interestingByte() }
            bytes.insert(contentsOf: insertion, at: index(in: bytes, allowingEnd: true))
        case 3:
            let start = index(in: bytes)
            let end = Swift.min(bytes.count, start + 1 + random.below(8))
            bytes.removeSubrange(start..<end)
        case 4:
            bytes.removeSubrange(index(in: bytes)...)
        case 5:
            // Usually a length field of the seed, else anywhere: the
            // positions may have moved after earlier mutations, which just
            // makes this a less targeted mutation.
            let target = random.below(4) != 0 && !lengthFields.isEmpty
                ? lengthFields[random.below(lengthFields.count)]
                : index(in: bytes)
            inflateLEB128(in: &bytes, at: Swift.min(target, bytes.count - 1))
        case 6:
            // A section of some seed (possibly this one) at a random
            // position: repeated and out-of-order sections.
            let donor = seeds[random.below(seeds.count)].bytes
            let sections = Self.sectionRanges(in: donor)
            if !sections.isEmpty {
                let section = sections[random.below(sections.count)]
                bytes.insert(contentsOf: donor[section], at: index(in: bytes, allowingEnd: true))
            }
        default:
            // Swap two bytes: reorders fields without changing the length.
            bytes.swapAt(index(in: bytes), index(in: bytes))
        }
    }

    /// Replaces the LEB128 at `offset` (whatever its length) with a large
    /// or padded encoding: forged counts and sizes, the classic way to make
    /// a decoder allocate or loop without bound.
    private mutating func inflateLEB128(in bytes: inout [UInt8], at offset: Int) {
        var end = offset
        while end < bytes.count, bytes[end] & 0x80 != 0, end - offset < 10 { end += 1 }
        end = Swift.min(end + 1, bytes.count)
        let replacement: [UInt8]
        switch random.below(4) {
        case 0: replacement = Wasm.unsigned(0xFFFF_FFFF)
        case 1: replacement = Wasm.unsigned(0x7FFF_FFFF + UInt64(random.below(2)))
        case 2: replacement = Wasm.unsigned(UInt64(bytes[offset] & 0x7F), padTo: 5)
        default: replacement = Wasm.unsigned(UInt64(bytes[offset] & 0x7F) + 1 + UInt64(random.below(64)))
        }
        bytes.replaceSubrange(offset..<end, with: replacement)
    }

    /// The header, then up to five sections with well-formed framing (known
    /// id, exact size) and random contents, which reach the entry decoders
    /// far more often than random framing would.
    private mutating func randomSections() -> [UInt8] {
        var bytes = Wasm.header
        for _ in 0..<random.below(6) {
            let contents = (0..<random.below(40)).map { _ in interestingByte() }
            bytes += Wasm.section(UInt8(random.below(13)), contents)
        }
        return bytes
    }

    /// Mostly uniform; otherwise a byte that is meaningful in the format
    /// (`end`, value types, LEB128 continuation, section ids, opcodes).
    private mutating func interestingByte() -> UInt8 {
        let interesting: [UInt8] = [0x00, 0x01, 0x02, 0x0B, 0x41, 0x60, 0x6F, 0x70, 0x7B, 0x7F, 0x80, 0xD0, 0xD2, 0xFF]
        return random.below(2) == 0
            ? UInt8(truncatingIfNeeded: random.next())
            : interesting[random.below(interesting.count)]
    }

    private mutating func index(in bytes: [UInt8], allowingEnd: Bool = false) -> Int {
        random.below(bytes.count + (allowingEnd ? 1 : 0))
    }

    // MARK: Seed structure

    /// The byte ranges of the top-level sections, found by a lenient walk
    /// (independent of the decoder under test) that stops at the first
    /// framing it cannot follow.
    private static func sectionRanges(in bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var offset = Wasm.header.count
        while offset < bytes.count {
            guard let (size, sizeLength) = leb128(in: bytes, at: offset + 1) else { break }
            let end = offset + 1 + sizeLength + size
            guard end <= bytes.count else { break }
            ranges.append(offset..<end)
            offset = end
        }
        return ranges
    }

    /// Offsets of each section's size field and of its contents' first byte.
    private static func lengthFieldOffsets(in bytes: [UInt8]) -> [Int] {
        sectionRanges(in: bytes).flatMap { section -> [Int] in
            let sizeOffset = section.lowerBound + 1
            let sizeLength = leb128(in: bytes, at: sizeOffset)?.length ?? 1
            let contents = sizeOffset + sizeLength
            return contents < section.upperBound ? [sizeOffset, contents] : [sizeOffset]
        }
    }

    /// An unsigned LEB128 of at most five bytes: its value and length.
    private static func leb128(in bytes: [UInt8], at offset: Int) -> (value: Int, length: Int)? {
        var value = 0
        for index in 0..<5 where offset + index < bytes.count {
            let byte = bytes[offset + index]
            value |= Int(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 { return (value, index + 1) }
        }
        return nil
    }
}

extension ModuleMutator {
    /// Hand-built seeds that together use every section and every element
    /// and data segment encoding, so that mutations reach all decoders.
    /// They are valid modules (the imports are a function of type 0, an
    /// immutable i32 global and a funcref table of at least 4 elements).
    public static let handBuiltSeeds: [[UInt8]] = [kitchenSink, Wasm.singleFunctionModule()]

    private static let kitchenSink: [UInt8] = {
        let offset = Wasm.i32Const(0)
        let functionIndices = Wasm.vector([Wasm.u32(0), Wasm.u32(1)])
        let expressions = Wasm.vector([[0xD2, 0x00, 0x0B], [0xD0, 0x70, 0x0B]])
        let names = Wasm.section(0, Wasm.name("seed"))
            + Wasm.section(1, Wasm.vector([Wasm.u32(0) + Wasm.name("imported"), Wasm.u32(1) + Wasm.name("main")]))
        return Wasm.module(
            Wasm.section(1, vector: [Wasm.functionType([.i32, .i64], [.f32]), Wasm.functionType([], [])]),
            Wasm.section(2, vector: [
                Wasm.name("env") + Wasm.name("f") + [0x00, 0x00],
                Wasm.name("env") + Wasm.name("g") + [0x03, 0x7F, 0x00],
                Wasm.name("env") + Wasm.name("t") + [0x01, 0x70, 0x01, 0x04, 0x0A],
            ]),
            Wasm.section(3, vector: [Wasm.u32(1), Wasm.u32(1)]),
            Wasm.section(4, vector: [[0x6F, 0x00, 0x02]]),
            Wasm.section(5, vector: [[0x01, 0x01, 0x02]]),
            Wasm.section(6, vector: [
                [0x7F, 0x00] + Wasm.i32Const(42),
                [0x7E, 0x01, 0x42, 0x7F, 0x0B],
                [0x7D, 0x00, 0x43, 0x00, 0x00, 0x80, 0x3F, 0x0B],
                [0x7C, 0x00, 0x44, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0x0B],
                [0x70, 0x00, 0xD2, 0x01, 0x0B],
                [0x7F, 0x00, 0x23, 0x00, 0x0B],
            ]),
            Wasm.section(7, vector: [Wasm.name("main") + [0x00, 0x01], Wasm.name("mem") + [0x02, 0x00]]),
            Wasm.section(8, Wasm.u32(1)),
            Wasm.section(9, vector: [
                [0x00] + offset + functionIndices,
                [0x01, 0x00] + functionIndices,
                [0x02, 0x00] + offset + [0x00] + functionIndices,
                [0x03, 0x00] + functionIndices,
                [0x04] + offset + expressions,
                [0x05, 0x70] + expressions,
                [0x06, 0x00] + offset + [0x70] + expressions,
                [0x07, 0x70] + expressions,
            ]),
            Wasm.section(12, Wasm.u32(3)),
            Wasm.section(10, vector: [
                Wasm.body(locals: [(2, .i32), (1, .f64)], [0x20, 0x00, 0x1A, 0x0B]),
                Wasm.body([0x41, 0x01, 0x1A, 0x0B]),
            ]),
            Wasm.section(11, vector: [
                [0x00] + offset + Wasm.vector([[0x61], [0x62]]),
                [0x01] + Wasm.vector([[0x63]]),
                [0x02, 0x00] + offset + Wasm.vector([]),
            ]),
            Wasm.customSection("name", names),
            Wasm.customSection("other", [1, 2, 3]))
    }()
}
