// TEMPORARY stub so the tree builds until the compiler/executor land.
import TernFormat

struct CompiledFunction {}

final class CompiledCode: @unchecked Sendable {
    func function(_ definedIndex: Int) -> UnsafeMutablePointer<CompiledFunction> { fatalError("stub") }
}

func compileModule(_ module: Module, configuration: EngineConfiguration) throws(CompileError) -> CompiledCode {
    throw .unsupported(feature: "compiler not yet implemented")
}

final class ExecutionStack {
    init(configuration: EngineConfiguration) {}
}

func invoke(_ function: UnsafeMutablePointer<FunctionEntity>, slots: UnsafeMutablePointer<UInt64>, store: Store) throws(Trap) {
    throw Trap(.unreachable)
}
