import TernFormat

/// One translated function, at a stable address inside its `CompiledCode`.
/// Its frame is `frameSize` slots: `localCount` locals (parameters first),
/// then the operand temporaries.
struct CompiledFunction {
    var code: UnsafePointer<UInt32>
    var parameterCount: Int
    var resultCount: Int
    var localCount: Int
    /// At least `resultCount`, so results always fit in the frame.
    var frameSize: Int
    /// Index in the module's function index space (for backtraces).
    var functionIndex: UInt32
}

/// All translated code of a module: one block of instruction words and the
/// `CompiledFunction` records pointing into it. Immutable once built.
final class CompiledCode: @unchecked Sendable {
    private let functions: UnsafeMutablePointer<CompiledFunction>
    let functionCount: Int
    let words: UnsafeMutablePointer<UInt32>
    let totalWordCount: Int

    /// Takes ownership of `functions` (initialized) and `words`.
    private init(functions: UnsafeMutablePointer<CompiledFunction>, functionCount: Int,
                 words: UnsafeMutablePointer<UInt32>, totalWordCount: Int) {
        self.functions = functions
        self.functionCount = functionCount
        self.words = words
        self.totalWordCount = totalWordCount
    }

    deinit {
        functions.deinitialize(count: functionCount)
        functions.deallocate()
        words.deallocate()
    }

    /// The record of defined function `definedIndex` (imports not counted).
    func function(_ definedIndex: Int) -> UnsafeMutablePointer<CompiledFunction> {
        precondition(definedIndex >= 0 && definedIndex < functionCount)
        return functions + definedIndex
    }

    /// Validates `module` and translates every function body.
    static func compile(_ module: Module) throws(CompileError) -> CompiledCode {
        let context = try ModuleContext(validating: module)
        let count = module.functions.count
        // Direct calls embed the callee's record address, so the records are
        // allocated first and written once all code is known.
        let functions = UnsafeMutablePointer<CompiledFunction>.allocate(capacity: max(count, 1))
        var translations: [TranslatedFunction] = []
        translations.reserveCapacity(count)
        do throws(CompileError) {
            for definedIndex in 0..<count {
                var compiler = try FunctionCompiler(context: context, definedIndex: definedIndex, records: functions)
                do throws(CompileError) {
                    translations.append(try compiler.translate())
                } catch {
                    // A malformed body anywhere from here on takes precedence.
                    if case .invalid = error, let malformation = BodyDecoder.firstMalformation(in: module, from: definedIndex) {
                        throw .malformed(malformation)
                    }
                    throw error
                }
            }
        } catch {
            functions.deallocate()
            throw error
        }
        let totalWordCount = translations.reduce(0) { $0 + $1.words.count }
        let words = UnsafeMutablePointer<UInt32>.allocate(capacity: max(totalWordCount, 1))
        var next = words
        for (definedIndex, translation) in translations.enumerated() {
            next.initialize(from: translation.words, count: translation.words.count)
            (functions + definedIndex).initialize(to: CompiledFunction(
                code: UnsafePointer(next),
                parameterCount: translation.parameterCount,
                resultCount: translation.resultCount,
                localCount: translation.localCount,
                frameSize: translation.frameSize,
                functionIndex: UInt32(context.importedFunctionCount + definedIndex)))
            next += translation.words.count
        }
        return CompiledCode(functions: functions, functionCount: count, words: words, totalWordCount: totalWordCount)
    }
}

/// Validates `module` and translates every function body.
func compileModule(_ module: Module, configuration: EngineConfiguration) throws(CompileError) -> CompiledCode {
    try CompiledCode.compile(module)
}
