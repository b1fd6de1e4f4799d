import TernFormat

/// The translation of one function body.
struct TranslatedFunction {
    var words: [UInt32]
    var parameterCount: Int
    var resultCount: Int
    var localCount: Int
    var frameSize: Int
}

/// Validates one function body (the spec's algorithm: an operand stack whose
/// entries may be of unknown type after `unreachable`/`br`/`return`, and a
/// stack of control frames) and, in the same pass, translates it into
/// register-style instructions over frame slots. See docs/engine.md.
struct FunctionCompiler {
    /// Where the value of an operand-stack entry is while it is on the stack.
    enum Location: Equatable {
        /// In the temporary slot of its stack position.
        case temporary
        /// Still in a local (after `local.get`); copied out before the local changes.
        case local(Int)
        /// A constant not yet written anywhere (slot bit pattern).
        case constant(UInt64)
        /// An i32 `local + displacement` not yet computed: a load or store
        /// takes it as its address operand for free.
        case displacedLocal(Int, UInt32)
        /// An i32 `temporary + displacement`, likewise.
        case displacedTemporary(UInt32)

        /// The local whose value this location depends on.
        var local: Int? {
            switch self {
            case .local(let index), .displacedLocal(let index, _): index
            default: nil
            }
        }
    }

    struct Operand {
        /// nil: unknown (in unreachable code).
        var type: ValueType?
        var location: Location
        /// Index in the operand stack.
        var position: Int
    }

    struct ControlFrame {
        enum Kind { case function, block, loop, `if`, `else` }
        var kind: Kind
        var parameters: [ValueType]
        var results: [ValueType]
        /// Operand stack height below the parameters.
        var height: Int
        var unreachable = false
        /// Branch target: the start of a loop, the end of anything else.
        var label: Int
        /// `if` without `else` yet: where the false branch starts.
        var elseLabel: Int?
        /// `if`: the parameters as they were on entry, for the `else` branch.
        var elseParameters: [Operand] = []

        var labelTypes: [ValueType] { kind == .loop ? parameters : results }
    }

    struct Label {
        var position: Int?
        /// (offset word, instruction start) pairs waiting for `position`.
        var uses: [(Int, Int)] = []
    }

    /// A condition `br_if`/`if` can jump on: `op slot, offset` or
    /// `op lhs, rhs|imm, offset`, with the opcode for either outcome.
    struct BranchCondition {
        var ifTrue: Op
        var ifFalse: Op
        var operands: [UInt32]

        var negated: BranchCondition { BranchCondition(ifTrue: ifFalse, ifFalse: ifTrue, operands: operands) }
    }

    let context: ModuleContext
    let functionIndex: Int
    private let records: UnsafeMutablePointer<CompiledFunction>
    private var reader: ByteReader
    private let type: FunctionType
    private let localTypes: [ValueType]
    private var localCount: Int { localTypes.count }

    private var stack: [Operand] = []
    private var controls: [ControlFrame] = []
    private var code: [UInt32] = []
    private var labels: [Label] = []
    private var maxHeight = 0
    /// Number of stack entries located in each local, and in all of them.
    private var localReferences: [Int]
    private var localReferenceTotal = 0
    /// The last instruction (starting at `start`, its destination in the next
    /// word), when it wrote the temporary of stack position `position` and
    /// nothing was emitted or bound since: `local.set` may retarget it.
    private var lastResult: (start: Int, position: Int)?
    /// The last instruction, when it was a comparison `br_if`/`if` may fuse with.
    private var lastComparison: (start: Int, position: Int, condition: BranchCondition)?
    /// Start of the last instruction, when it was a single `copy`.
    private var lastCopy: Int?

    init(context: ModuleContext, definedIndex: Int, records: UnsafeMutablePointer<CompiledFunction>) throws(CompileError) {
        self.context = context
        self.records = records
        functionIndex = context.importedFunctionCount + definedIndex
        let body = context.module.codes[definedIndex]
        reader = ByteReader(bytes: context.module.bytes, range: body.codeRange)
        type = context.functionType(functionIndex)
        var locals = type.parameters
        for group in body.localGroups {
            locals.append(contentsOf: repeatElement(group.type, count: Int(group.count)))
        }
        localTypes = locals
        localReferences = Array(repeating: 0, count: locals.count)
    }

    // MARK: Errors and reading

    private func invalid(_ reason: String) -> CompileError { .invalid(reason: reason, functionIndex: functionIndex) }

    private func malformed(_ reason: String) -> CompileError { .malformed(reader.error(reason)) }

    private mutating func read<T>(_ body: (inout ByteReader) throws(MalformedError) -> T) throws(CompileError) -> T {
        do { return try body(&reader) } catch { throw .malformed(error) }
    }

    private mutating func readByte() throws(CompileError) -> UInt8 { try read { r throws(MalformedError) in try r.readByte() } }
    private mutating func readIndex() throws(CompileError) -> UInt32 { try read { r throws(MalformedError) in try r.readU32() } }

    private mutating func readZeroByte() throws(CompileError) {
        guard try readByte() == 0 else { throw malformed("zero byte expected") }
    }

    private mutating func readValueType() throws(CompileError) -> ValueType {
        guard let type = ValueType(rawValue: try readByte()) else { throw malformed("malformed value type") }
        if type == .v128 { throw .unsupported(feature: "simd") }
        return type
    }

    private mutating func readReferenceType() throws(CompileError) -> ValueType {
        let byte = try readByte()
        guard let type = ValueType(rawValue: byte), type.isReference else { throw malformed("malformed reference type") }
        return type
    }

    private mutating func readBlockType() throws(CompileError) -> FunctionType {
        let byte = try read { r throws(MalformedError) in try r.peekByte() }
        if byte == 0x40 {
            _ = try readByte()
            return FunctionType(parameters: [], results: [])
        }
        if ValueType(rawValue: byte) != nil {
            return FunctionType(parameters: [], results: [try readValueType()])
        }
        let index = try read { r throws(MalformedError) in try r.readS33() }
        guard index >= 0 else { throw malformed("malformed value type") }
        guard index < context.types.count else { throw invalid("unknown type \(index)") }
        return context.types[Int(index)]
    }

    // MARK: Operand stack

    private var currentFrame: ControlFrame {
        get { controls[controls.count - 1] }
        set { controls[controls.count - 1] = newValue }
    }

    private var isReachable: Bool { !currentFrame.unreachable }

    private func temporarySlot(_ position: Int) -> UInt32 { UInt32(localCount + position) }

    private mutating func push(_ type: ValueType?, _ location: Location = .temporary) {
        // Unreachable code emits nothing, so its values need no location.
        let location = isReachable ? location : .temporary
        if let index = location.local {
            localReferences[index] += 1
            localReferenceTotal += 1
        }
        stack.append(Operand(type: type, location: location, position: stack.count))
        maxHeight = max(maxHeight, stack.count)
    }

    /// Puts back values popped for validation, unchanged but for their type.
    private mutating func pushBack(_ operands: [Operand], types: [ValueType?]) {
        for (operand, type) in zip(operands, types) { push(type, operand.location) }
    }

    /// Pops one value, of type `expected` unless that is nil.
    private mutating func pop(_ expected: ValueType? = nil) throws(CompileError) -> Operand {
        if stack.count == currentFrame.height {
            guard currentFrame.unreachable else { throw invalid("type mismatch") }
            return Operand(type: nil, location: .temporary, position: stack.count)
        }
        let operand = stack.removeLast()
        if let index = operand.location.local {
            localReferences[index] -= 1
            localReferenceTotal -= 1
        }
        if let expected, let actual = operand.type, actual != expected { throw invalid("type mismatch") }
        return operand
    }

    /// Pops values of `types` (the last type on top); returns them bottom first.
    private mutating func pop(_ types: [ValueType]) throws(CompileError) -> [Operand] {
        var operands: [Operand] = []
        for type in types.reversed() { operands.append(try pop(type)) }
        return operands.reversed()
    }

    private mutating func pushTemporaries(_ types: [ValueType]) {
        for type in types { push(type) }
    }

    private mutating func markUnreachable() {
        while stack.count > currentFrame.height { _ = try? pop() }
        currentFrame.unreachable = true
    }

    // MARK: Emission

    /// Appends one instruction; returns where it starts.
    @discardableResult
    private mutating func emit(_ op: Op, _ operands: [UInt32] = []) -> Int {
        lastResult = nil
        lastComparison = nil
        lastCopy = nil
        let start = code.count
        code.append(UInt32(op.rawValue))
        code.append(contentsOf: operands)
        assert(op == .brTable || code.count - start == op.wordCount, "wrong operand count for \(op)")
        return start
    }

    /// Emits `op dst, operands...` for a result at stack position `position`,
    /// and remembers it for destination retargeting.
    @discardableResult
    private mutating func emitResult(_ op: Op, position: Int, _ operands: [UInt32] = []) -> Int {
        let start = emit(op, [temporarySlot(position)] + operands)
        lastResult = (start, position)
        return start
    }

    /// `copy dst, src`, merged into the previous copy when there is one.
    private mutating func emitCopy(_ destination: UInt32, _ source: UInt32) {
        if let start = lastCopy {
            code[start] = UInt32(Op.copy2.rawValue)
            code.append(contentsOf: [destination, source])
            lastCopy = nil
        } else {
            lastCopy = emit(.copy, [destination, source])
        }
    }

    private mutating func emitConstant(_ bits: UInt64, type: ValueType?, into slot: UInt32) {
        if type == .i32 || type == .f32 {
            emit(.const32, [slot, UInt32(truncatingIfNeeded: bits)])
        } else {
            emit(.const64, [slot, UInt32(truncatingIfNeeded: bits), UInt32(truncatingIfNeeded: bits >> 32)])
        }
    }

    /// Emits whatever puts `operand`'s value into `slot`.
    private mutating func emitMove(_ operand: Operand, into slot: UInt32) {
        switch operand.location {
        case .temporary:
            if temporarySlot(operand.position) != slot { emitCopy(slot, temporarySlot(operand.position)) }
        case .local(let index):
            if UInt32(index) != slot { emitCopy(slot, UInt32(index)) }
        case .constant(let bits):
            emitConstant(bits, type: operand.type, into: slot)
        case .displacedLocal(let index, let displacement):
            emit(.i32AddImm, [slot, UInt32(index), displacement])
        case .displacedTemporary(let displacement):
            emit(.i32AddImm, [slot, temporarySlot(operand.position), displacement])
        }
    }

    /// The slot holding `operand`'s value; a constant is written into its
    /// temporary first.
    private mutating func slot(of operand: Operand) -> UInt32 {
        switch operand.location {
        case .temporary: return temporarySlot(operand.position)
        case .local(let index): return UInt32(index)
        case .constant, .displacedLocal, .displacedTemporary:
            emitMove(operand, into: temporarySlot(operand.position))
            return temporarySlot(operand.position)
        }
    }

    private mutating func slots(of operands: [Operand]) -> [UInt32] {
        var slots: [UInt32] = []
        for operand in operands { slots.append(slot(of: operand)) }
        return slots
    }

    /// Moves the stack entry at `position` into its temporary.
    private mutating func settle(_ position: Int) {
        let operand = stack[position]
        guard operand.location != .temporary else { return }
        emitMove(operand, into: temporarySlot(position))
        if let index = operand.location.local {
            localReferences[index] -= 1
            localReferenceTotal -= 1
        }
        stack[position].location = .temporary
    }

    /// Before `local` changes, entries still reading it take a copy.
    private mutating func preserve(local: Int) {
        guard localReferences[local] > 0 else { return }
        for position in stack.indices where stack[position].location.local == local { settle(position) }
    }

    /// On entry to a block, no entry may stay in a local: a `local.set` inside
    /// would copy it out on one path only.
    private mutating func preserveAllLocals() {
        guard localReferenceTotal > 0 else { return }
        for position in stack.indices where stack[position].location.local != nil { settle(position) }
    }

    // MARK: Labels and branches

    private mutating func newLabel() -> Int {
        labels.append(Label())
        return labels.count - 1
    }

    private mutating func bind(_ label: Int) {
        let position = code.count
        labels[label].position = position
        for (word, start) in labels[label].uses { code[word] = UInt32(bitPattern: Int32(position - start)) }
        labels[label].uses = []
        lastResult = nil
        lastComparison = nil
        lastCopy = nil
    }

    /// Fills branch offset `word` of the instruction at `start` with `label`.
    private mutating func link(_ label: Int, word: Int, start: Int) {
        if let position = labels[label].position {
            code[word] = UInt32(bitPattern: Int32(position - start))
        } else {
            labels[label].uses.append((word, start))
        }
    }

    /// Branches to loop headers (the only backward targets) use the twin
    /// that checks for interruption.
    private func branchOp(_ op: Op, to label: Int) -> Op {
        labels[label].position == nil ? op : op.backEdge!
    }

    private mutating func emitJump(to label: Int) {
        let start = emit(branchOp(.br, to: label), [0])
        link(label, word: start + 1, start: start)
    }

    private mutating func emitBranch(_ condition: BranchCondition, to label: Int) {
        let start = code.count
        code.append(UInt32(branchOp(condition.ifTrue, to: label).rawValue))
        code.append(contentsOf: condition.operands)
        code.append(0)
        assert(code.count - start == condition.ifTrue.wordCount)
        lastResult = nil
        lastComparison = nil
        lastCopy = nil
        link(label, word: code.count - 1, start: start)
    }

    /// How to branch on `condition` (an i32 just popped): fused with the
    /// comparison that produced it when that was the last instruction.
    private mutating func branchCondition(_ condition: Operand) -> BranchCondition {
        if let comparison = lastComparison, condition.location == .temporary, condition.position == comparison.position {
            code.removeSubrange(comparison.start...)
            lastComparison = nil
            lastResult = nil
            return comparison.condition
        }
        let conditionSlot = slot(of: condition)
        return BranchCondition(ifTrue: .brIfI32Nez, ifFalse: .brIfI32Eqz, operands: [conditionSlot])
    }

    /// Whether a branch to `frame` must move values or return (rather than
    /// just jump).
    private func needsMoves(_ values: [Operand], to frame: ControlFrame) -> Bool {
        if frame.kind == .function { return true }
        for (offset, value) in values.enumerated() where value.location != .temporary || value.position != frame.height + offset {
            return true
        }
        return false
    }

    /// Unconditional branch to `frame` carrying `values` (the top of the stack).
    private mutating func emitBranch(carrying values: [Operand], to frame: ControlFrame) {
        if frame.kind == .function {
            emitReturn(values)
            return
        }
        // Targets lie at or below their sources, so ascending order never
        // overwrites a value still to be moved.
        for (offset, value) in values.enumerated() {
            emitMove(value, into: temporarySlot(frame.height + offset))
        }
        emitJump(to: frame.label)
    }

    /// Moves the results to slots 0... of the frame and returns.
    private mutating func emitReturn(_ results: [Operand]) {
        if results.count == 1 {
            let source = slot(of: results[0])
            emit(.returnValue, [source])
            return
        }
        // A result in a local that is also a destination is read first.
        var results = results
        for index in results.indices {
            if let local = results[index].location.local, local < results.count, local != index {
                emitMove(results[index], into: temporarySlot(results[index].position))
                results[index].location = .temporary
            }
        }
        // Temporaries of results sit at or above their destinations.
        for (index, result) in results.enumerated() { emitMove(result, into: UInt32(index)) }
        emit(.return)
    }

    private func frame(atDepth depth: UInt32) throws(CompileError) -> ControlFrame {
        guard Int(depth) < controls.count else { throw invalid("unknown label") }
        return controls[controls.count - 1 - Int(depth)]
    }

    // MARK: Translation

    mutating func translate() throws(CompileError) -> TranslatedFunction {
        controls.append(ControlFrame(kind: .function, parameters: [], results: type.results, height: 0, label: newLabel()))
        while !controls.isEmpty {
            try translateInstruction()
        }
        guard reader.isAtEnd else { throw malformed("section size mismatch") }
        return TranslatedFunction(
            words: code, parameterCount: type.parameters.count, resultCount: type.results.count,
            localCount: localCount, frameSize: max(localCount + maxHeight, type.results.count))
    }

    private mutating func translateInstruction() throws(CompileError) {
        let opcode = try readByte()
        switch opcode {
        case 0x00:
            if isReachable { emit(.unreachable) }
            markUnreachable()
        case 0x01:
            break
        case 0x02, 0x03, 0x04:
            try enterBlock(opcode)
        case 0x05:
            try translateElse()
        case 0x0B:
            try translateEnd()
        case 0x0C:
            let target = try frame(atDepth: try readIndex())
            let values = try pop(target.labelTypes)
            if isReachable { emitBranch(carrying: values, to: target) }
            markUnreachable()
        case 0x0D:
            try translateBranchIf()
        case 0x0E:
            try translateBranchTable()
        case 0x0F:
            let results = try pop(type.results)
            if isReachable { emitReturn(results) }
            markUnreachable()
        case 0x10:
            let callee = try readIndex()
            guard Int(callee) < context.functionTypeIndices.count else { throw invalid("unknown function \(callee)") }
            try translateCall(context.functionType(Int(callee))) { compiler, arguments in
                if Int(callee) >= compiler.context.importedFunctionCount {
                    let record = UInt(bitPattern: compiler.records + (Int(callee) - compiler.context.importedFunctionCount))
                    compiler.emit(.call, [UInt32(truncatingIfNeeded: record), UInt32(truncatingIfNeeded: record >> 32), arguments])
                } else {
                    compiler.emit(.callImport, [callee, arguments])
                }
            }
        case 0x11:
            let typeIndex = try readIndex()
            let tableIndex = try readIndex()
            guard Int(typeIndex) < context.types.count else { throw invalid("unknown type \(typeIndex)") }
            try expectTable(tableIndex, elementType: .funcref)
            let index = try pop(.i32)
            try translateCall(context.types[Int(typeIndex)]) { compiler, arguments in
                let indexSlot = compiler.slot(of: index)
                compiler.emit(.callIndirect, [typeIndex, tableIndex, indexSlot, arguments])
            }
        case 0x1A:
            _ = try pop()
        case 0x1B:
            try translateSelect(type: nil)
        case 0x1C:
            guard try readIndex() == 1 else { throw invalid("invalid result arity") }
            try translateSelect(type: try readValueType())
        case 0x20:
            let index = try localIndex()
            push(localTypes[index], .local(index))
        case 0x21:
            let index = try localIndex()
            try setLocal(index, tee: false)
        case 0x22:
            let index = try localIndex()
            try setLocal(index, tee: true)
        case 0x23:
            let index = try globalIndex()
            let position = stack.count
            if isReachable { emitResult(.globalGet, position: position, [index]) }
            push(context.globals[Int(index)].valueType)
        case 0x24:
            let index = try globalIndex()
            guard context.globals[Int(index)].isMutable else { throw invalid("global is immutable") }
            let value = try pop(context.globals[Int(index)].valueType)
            if isReachable { emit(.globalSet, [index] + slots(of: [value])) }
        case 0x25:
            let table = try readIndex()
            let elementType = try expectTable(table)
            let index = try pop(.i32)
            if isReachable { emitResult(.tableGet, position: index.position, [table] + slots(of: [index])) }
            push(elementType)
        case 0x26:
            let table = try readIndex()
            let elementType = try expectTable(table)
            let value = try pop(elementType)
            let index = try pop(.i32)
            if isReachable { emit(.tableSet, [table] + slots(of: [index, value])) }
        case 0x28...0x3E:
            try translateMemoryAccess(memoryInstruction(opcode)!)
        case 0x3F:
            try readZeroByte()
            try expectMemory()
            if isReachable { emitResult(.memorySize, position: stack.count) }
            push(.i32)
        case 0x40:
            try readZeroByte()
            try expectMemory()
            let delta = try pop(.i32)
            if isReachable { emitResult(.memoryGrow, position: delta.position, slots(of: [delta])) }
            push(.i32)
        case 0x41:
            let value = try read { r throws(MalformedError) in try r.readS32() }
            push(.i32, .constant(UInt64(UInt32(bitPattern: value))))
        case 0x42:
            let value = try read { r throws(MalformedError) in try r.readS64() }
            push(.i64, .constant(UInt64(bitPattern: value)))
        case 0x43:
            let bits = try read { r throws(MalformedError) in try r.readFixedU32() }
            push(.f32, .constant(UInt64(bits)))
        case 0x44:
            let bits = try read { r throws(MalformedError) in try r.readFixedU64() }
            push(.f64, .constant(bits))
        case 0x45...0xC4:
            try translateNumeric(numericInstruction(UInt16(opcode))!)
        case 0xD0:
            push(try readReferenceType(), .constant(0))
        case 0xD1:
            let reference = try pop()
            if let type = reference.type, !type.isReference { throw invalid("type mismatch") }
            // Null references are 0 in every reference type: i64.eqz tests it.
            var isNull = numericInstruction(0x50)!
            isNull.parameters = [reference.type ?? .funcref]
            push(reference.type, reference.location)
            try translateNumeric(isNull)
        case 0xD2:
            let function = try readIndex()
            guard Int(function) < context.functionTypeIndices.count else { throw invalid("unknown function \(function)") }
            guard context.declaredFunctions.contains(function) else { throw invalid("undeclared function reference") }
            if isReachable { emitResult(.refFunc, position: stack.count, [function]) }
            push(.funcref)
        case 0xFC:
            try translatePrefixed(try readIndex())
        case 0xFD:
            throw .unsupported(feature: "simd")
        default:
            throw malformed("illegal opcode \(String(opcode, radix: 16))")
        }
    }

    private mutating func translatePrefixed(_ subopcode: UInt32) throws(CompileError) {
        switch subopcode {
        case 0...7:
            try translateNumeric(numericInstruction(0xFC00 | UInt16(subopcode))!)
        case 8:
            let segment = try readIndex()
            try readZeroByte()
            try expectMemory()
            try expectDataSegment(segment)
            let operands = try pop([.i32, .i32, .i32])
            if isReachable { emit(.memoryInit, [segment] + slots(of: operands)) }
        case 9:
            let segment = try readIndex()
            try expectDataSegment(segment)
            if isReachable { emit(.dataDrop, [segment]) }
        case 10:
            try readZeroByte()
            try readZeroByte()
            try expectMemory()
            let operands = try pop([.i32, .i32, .i32])
            if isReachable { emit(.memoryCopy, slots(of: operands)) }
        case 11:
            try readZeroByte()
            try expectMemory()
            let operands = try pop([.i32, .i32, .i32])
            if isReachable { emit(.memoryFill, slots(of: operands)) }
        case 12:
            let segment = try readIndex()
            let table = try readIndex()
            guard Int(segment) < context.elementTypes.count else { throw invalid("unknown elem segment \(segment)") }
            try expectTable(table, elementType: context.elementTypes[Int(segment)])
            let operands = try pop([.i32, .i32, .i32])
            if isReachable { emit(.tableInit, [table, segment] + slots(of: operands)) }
        case 13:
            let segment = try readIndex()
            guard Int(segment) < context.elementTypes.count else { throw invalid("unknown elem segment \(segment)") }
            if isReachable { emit(.elemDrop, [segment]) }
        case 14:
            let destination = try readIndex()
            let source = try readIndex()
            let elementType = try expectTable(destination)
            try expectTable(source, elementType: elementType)
            let operands = try pop([.i32, .i32, .i32])
            if isReachable { emit(.tableCopy, [destination, source] + slots(of: operands)) }
        case 15:
            let table = try readIndex()
            let elementType = try expectTable(table)
            let delta = try pop(.i32)
            let value = try pop(elementType)
            if isReachable { emitResult(.tableGrow, position: value.position, [table] + slots(of: [value, delta])) }
            push(.i32)
        case 16:
            let table = try readIndex()
            try expectTable(table)
            if isReachable { emitResult(.tableSize, position: stack.count, [table]) }
            push(.i32)
        case 17:
            let table = try readIndex()
            let elementType = try expectTable(table)
            let count = try pop(.i32)
            let value = try pop(elementType)
            let destination = try pop(.i32)
            if isReachable { emit(.tableFill, [table] + slots(of: [destination, value, count])) }
        default:
            throw malformed("illegal opcode fc \(subopcode)")
        }
    }

    // MARK: Index checks

    private mutating func localIndex() throws(CompileError) -> Int {
        let index = try readIndex()
        guard Int(index) < localCount else { throw invalid("unknown local \(index)") }
        return Int(index)
    }

    private mutating func globalIndex() throws(CompileError) -> UInt32 {
        let index = try readIndex()
        guard Int(index) < context.globals.count else { throw invalid("unknown global \(index)") }
        return index
    }

    /// `memory.init` and `data.drop` need the data count section (a decoding
    /// rule); an index beyond the segments is invalid in any case.
    private func expectDataSegment(_ index: UInt32) throws(CompileError) {
        guard index < context.dataCount ?? UInt32(context.module.data.count) else {
            throw invalid("unknown data segment \(index)")
        }
        guard context.dataCount != nil else { throw malformed("data count section required") }
    }

    private func expectMemory() throws(CompileError) {
        guard context.hasMemory else { throw invalid("unknown memory 0") }
    }

    /// Checks that `table` exists (and holds `elementType`); returns its element type.
    @discardableResult
    private func expectTable(_ table: UInt32, elementType: ValueType? = nil) throws(CompileError) -> ValueType {
        guard Int(table) < context.tables.count else { throw invalid("unknown table \(table)") }
        let actual = context.tables[Int(table)].elementType
        if let elementType, elementType != actual { throw invalid("type mismatch") }
        return actual
    }

    // MARK: Instructions

    private mutating func translateNumeric(_ instruction: NumericInstruction) throws(CompileError) {
        let operands = try pop(instruction.parameters)
        var resultLocation = instruction.operation == nil ? operands[0].location : .temporary
        defer { push(instruction.result, resultLocation) }
        guard isReachable, let op = instruction.operation else { return }
        let position = operands[0].position
        if let sum = deferredSum(op, operands) {
            resultLocation = sum
            return
        }
        if op == .i32Eqz, let comparison = lastComparison, operands[0].location == .temporary,
           operands[0].position == comparison.position,
           let negated = Op(rawValue: UInt16(code[comparison.start]))?.negatedComparison {
            code[comparison.start] = UInt32(negated.rawValue)
            lastComparison = (comparison.start, position, comparison.condition.negated)
            return
        }
        let branch = instruction.branch
        if operands.count == 2, let immediateOp = instruction.immediate, let immediate = immediateWord(operands[1]) {
            let words = slots(of: [operands[0]]) + [immediate]
            let start = emitResult(immediateOp, position: position, words)
            if let branch, let ifTrue = branch.ifTrueImmediate, let ifFalse = branch.ifFalseImmediate {
                lastComparison = (start, position, BranchCondition(ifTrue: ifTrue, ifFalse: ifFalse, operands: words))
            }
        } else if operands.count == 2, let swappedOp = instruction.swappedImmediate, let immediate = immediateWord(operands[0]) {
            emitResult(swappedOp, position: position, slots(of: [operands[1]]) + [immediate])
        } else {
            let words = slots(of: operands)
            let start = emitResult(op, position: position, words)
            if let branch {
                lastComparison = (start, position, BranchCondition(ifTrue: branch.ifTrue, ifFalse: branch.ifFalse, operands: words))
            }
        }
    }

    /// `i32.add`/`i32.sub` of a constant to a local or temporary is not
    /// computed yet (see `Location.displacedLocal`); constants fold.
    private func deferredSum(_ op: Op, _ operands: [Operand]) -> Location? {
        guard op == .i32Add || op == .i32Sub, case .constant(let bits) = operands[1].location else { return nil }
        let constant = UInt32(truncatingIfNeeded: bits)
        let displacement = op == .i32Add ? constant : 0 &- constant
        switch operands[0].location {
        case .local(let index): return .displacedLocal(index, displacement)
        case .temporary: return .displacedTemporary(displacement)
        case .displacedLocal(let index, let base): return .displacedLocal(index, base &+ displacement)
        case .displacedTemporary(let base): return .displacedTemporary(base &+ displacement)
        case .constant(let base): return .constant(UInt64(UInt32(truncatingIfNeeded: base) &+ displacement))
        }
    }

    /// A constant operand as an immediate word, if its instruction has an
    /// immediate form that can hold it (i64 immediates are sign-extended 32 bits).
    private func immediateWord(_ operand: Operand) -> UInt32? {
        guard case .constant(let bits) = operand.location else { return nil }
        if operand.type == .i64 || operand.type == .f64 {
            let value = Int64(bitPattern: bits)
            guard value == Int64(Int32(truncatingIfNeeded: value)) else { return nil }
        }
        return UInt32(truncatingIfNeeded: bits)
    }

    private mutating func translateMemoryAccess(_ instruction: MemoryInstruction) throws(CompileError) {
        let alignment = try readIndex()
        let offset = try readIndex()
        try expectMemory()
        guard alignment <= instruction.naturalAlignment else { throw invalid("alignment must not be larger than natural") }
        if instruction.isStore {
            let value = try pop(instruction.type)
            let address = try pop(.i32)
            guard isReachable else { return }
            if let (base, displacement) = displacedAddress(address) {
                let valueSlot = slot(of: value)
                emit(instruction.displaced, [base, valueSlot, displacement, offset])
            } else if let immediateOp = instruction.immediate, let immediate = immediateWord(value) {
                emit(immediateOp, slots(of: [address]) + [immediate, offset])
            } else {
                emit(instruction.operation, slots(of: [address, value]) + [offset])
            }
        } else {
            let address = try pop(.i32)
            defer { push(instruction.type) }
            guard isReachable else { return }
            if let (base, displacement) = displacedAddress(address) {
                emitResult(instruction.displaced, position: address.position, [base, displacement, offset])
            } else {
                emitResult(instruction.operation, position: address.position, slots(of: [address]) + [offset])
            }
        }
    }

    /// The base slot and displacement of a deferred `i32.add` address.
    private func displacedAddress(_ address: Operand) -> (UInt32, UInt32)? {
        switch address.location {
        case .displacedLocal(let index, let displacement): (UInt32(index), displacement)
        case .displacedTemporary(let displacement): (temporarySlot(address.position), displacement)
        default: nil
        }
    }

    private mutating func translateSelect(type: ValueType?) throws(CompileError) {
        let condition = try pop(.i32)
        let second = try pop(type)
        let first = try pop(type)
        var resultType = type
        if type == nil {
            if let t = first.type, t.isReference { throw invalid("type mismatch") }
            if let t = second.type, t.isReference { throw invalid("type mismatch") }
            if let a = first.type, let b = second.type, a != b { throw invalid("type mismatch") }
            resultType = first.type ?? second.type
        }
        if isReachable {
            emitResult(.select, position: first.position, slots(of: [condition, first, second]))
        }
        push(resultType)
    }

    private mutating func setLocal(_ index: Int, tee: Bool) throws(CompileError) {
        let value = try pop(localTypes[index])
        guard isReachable else {
            if tee { push(localTypes[index]) }
            return
        }
        if value.location == .local(index) {
            if tee { push(localTypes[index], value.location) }
            return
        }
        if let result = lastResult, value.location == .temporary, result.position == value.position {
            // The instruction that computed the value writes the local
            // directly; copies of the local's old value go before it.
            var instruction = Array(code[result.start...])
            code.removeSubrange(result.start...)
            preserve(local: index)
            instruction[1] = UInt32(index)
            code.append(contentsOf: instruction)
            lastResult = nil
            lastComparison = nil
            lastCopy = nil
        } else {
            preserve(local: index)
            emitMove(value, into: UInt32(index))
        }
        if tee {
            if case .constant = value.location {
                push(localTypes[index], value.location)
            } else {
                push(localTypes[index], .local(index))
            }
        }
    }

    private mutating func translateCall(_ callee: FunctionType,
                                        emitCall: (inout FunctionCompiler, UInt32) -> Void) throws(CompileError) {
        let arguments = try pop(callee.parameters)
        if isReachable {
            let base = stack.count
            for argument in arguments { emitMove(argument, into: temporarySlot(argument.position)) }
            emitCall(&self, temporarySlot(base))
        }
        pushTemporaries(callee.results)
    }

    // MARK: Control

    private mutating func enterBlock(_ opcode: UInt8) throws(CompileError) {
        let blockType = try readBlockType()
        let outerReachable = isReachable
        var condition: BranchCondition?
        if opcode == 0x04 {
            let operand = try pop(.i32)
            if outerReachable { condition = branchCondition(operand) }
        }
        let parameters = try pop(blockType.parameters)
        pushBack(parameters, types: blockType.parameters)
        if outerReachable { preserveAllLocals() }
        let height = stack.count - parameters.count
        var frame = ControlFrame(kind: .block, parameters: blockType.parameters, results: blockType.results,
                                 height: height, label: newLabel())
        switch opcode {
        case 0x03:
            frame.kind = .loop
            // Back edges deliver the parameters to their temporaries.
            if outerReachable { for position in height..<stack.count { settle(position) } }
            bind(frame.label)
        case 0x04:
            frame.kind = .if
            frame.elseLabel = newLabel()
            frame.elseParameters = Array(stack[height...])
            if let condition { emitBranch(condition.negated, to: frame.elseLabel!) }
        default:
            break
        }
        controls.append(frame)
    }

    private mutating func translateElse() throws(CompileError) {
        guard currentFrame.kind == .if, let elseLabel = currentFrame.elseLabel else { throw malformed("unexpected else") }
        let frame = currentFrame
        let results = try pop(frame.results)
        guard stack.count == frame.height else { throw invalid("type mismatch") }
        if isReachable {
            for result in results { settleOperand(result) }
            emitJump(to: frame.label)
        }
        bind(elseLabel)
        currentFrame.kind = .else
        currentFrame.elseLabel = nil
        currentFrame.unreachable = false
        for parameter in frame.elseParameters { push(parameter.type, parameter.location) }
    }

    /// Writes a popped result into the temporary of its position.
    private mutating func settleOperand(_ operand: Operand) {
        emitMove(operand, into: temporarySlot(operand.position))
    }

    private mutating func translateEnd() throws(CompileError) {
        let frame = currentFrame
        let results = try pop(frame.results)
        guard stack.count == frame.height else { throw invalid("type mismatch") }
        if frame.kind == .function {
            if isReachable { emitReturn(results) }
            controls.removeLast()
            return
        }
        if isReachable { for result in results { settleOperand(result) } }
        if frame.kind == .if, let elseLabel = frame.elseLabel {
            // No else: the parameters fall through as the results.
            guard frame.parameters == frame.results else { throw invalid("type mismatch") }
            if frame.elseParameters.contains(where: { $0.location != .temporary }) {
                if isReachable { emitJump(to: frame.label) }
                bind(elseLabel)
                for parameter in frame.elseParameters { settleOperand(parameter) }
            } else {
                bind(elseLabel)
            }
        }
        if frame.kind != .loop { bind(frame.label) }
        controls.removeLast()
        pushTemporaries(frame.results)
    }

    private mutating func translateBranchIf() throws(CompileError) {
        let target = try frame(atDepth: try readIndex())
        let conditionOperand = try pop(.i32)
        let values = try pop(target.labelTypes)
        pushBack(values, types: target.labelTypes)
        guard isReachable else { return }
        let condition = branchCondition(conditionOperand)
        let carried = Array(stack[(stack.count - values.count)...])
        if needsMoves(carried, to: target) {
            let skip = newLabel()
            emitBranch(condition.negated, to: skip)
            emitBranch(carrying: carried, to: target)
            bind(skip)
        } else {
            emitBranch(condition, to: target.label)
        }
    }

    private mutating func translateBranchTable() throws(CompileError) {
        let count = try read { r throws(MalformedError) in try r.readCount() }
        var depths: [UInt32] = []
        for _ in 0...count { depths.append(try readIndex()) }
        let index = try pop(.i32)
        let arity = try frame(atDepth: depths[count]).labelTypes.count
        for depth in depths.dropLast() {
            let types = try frame(atDepth: depth).labelTypes
            guard types.count == arity else { throw invalid("type mismatch") }
            let operands = try pop(types)
            pushBack(operands, types: operands.map(\.type))
        }
        let values = try pop(try frame(atDepth: depths[count]).labelTypes)
        guard isReachable else {
            markUnreachable()
            return
        }
        let start = emit(.brTable, slots(of: [index]) + [UInt32(count)])
        code.append(contentsOf: repeatElement(0, count: count + 1))
        // Targets whose values are not in place go through a stub that moves them.
        var stubs: [UInt32: Int] = [:]
        for (entry, depth) in depths.enumerated() {
            let target = try frame(atDepth: depth)
            var label = target.label
            // Loop targets need the back-edge check, which only `br` has here.
            if needsMoves(values, to: target) || target.kind == .loop {
                if let stub = stubs[depth] {
                    label = stub
                } else {
                    label = newLabel()
                    stubs[depth] = label
                }
            }
            link(label, word: start + 3 + entry, start: start)
        }
        for (depth, stub) in stubs.sorted(by: { $0.key < $1.key }) {
            bind(stub)
            emitBranch(carrying: values, to: try frame(atDepth: depth))
        }
        markUnreachable()
    }
}
