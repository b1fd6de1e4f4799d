import TernFormat

/// A Wasm numeric instruction and the internal instructions that implement
/// it (see the generated `numericInstruction(_:)`).
struct NumericInstruction {
    /// nil: the result has the operand's bits (reinterpretations and
    /// `i64.extend_i32_u`, given zero-extended 32-bit slots): nothing to emit.
    var operation: Op?
    var parameters: [ValueType]
    var result: ValueType
    /// `op dst, lhs, imm` for a constant right operand.
    var immediate: Op? = nil
    /// `op dst, rhs, imm` for a constant left operand (commuted or mirrored).
    var swappedImmediate: Op? = nil
    /// A comparison that `br_if`/`if` can fuse with.
    var branch: BranchFusion? = nil
}

/// The conditional branches implementing "compare, then branch": the test
/// and its negation, with register or immediate right operand.
struct BranchFusion {
    var ifTrue: Op
    var ifFalse: Op
    var ifTrueImmediate: Op?
    var ifFalseImmediate: Op?
}

/// A Wasm load or store.
struct MemoryInstruction {
    /// `load dst, address, offset` / `store address, value, offset`.
    var operation: Op
    /// The address given as `base + displacement` (a fused `i32.add`):
    /// `load dst, base, displacement, offset` / `store base, value, displacement, offset`.
    var displaced: Op
    /// Stores of a constant: `store address, imm, offset`, the value
    /// sign-extended from 32 bits.
    var immediate: Op?
    var type: ValueType
    /// log2 of the access size; the memarg's alignment may not exceed it.
    var naturalAlignment: UInt32
    var isStore: Bool
}
