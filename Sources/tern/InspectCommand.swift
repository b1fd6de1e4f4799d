import Foundation
import TernFormat

extension Command {
    static let inspect = Command(
        name: "inspect",
        summary: "List a module's imports, exports, memories, tables and globals",
        usage: """
            usage: tern inspect FILE.wasm

            Decodes FILE (without validating its code) and lists its imports,
            exports, memories, tables and globals, one per line under a heading.
            """,
        run: { arguments throws(CommandLineError) in
            guard arguments.count == 1 else { throw .usage("inspect takes exactly one FILE") }
            let path = arguments[0]
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .failure("error: cannot read \(path)")
            }
            let module = try reportingFailure { () throws(MalformedError) in try decodeModule([UInt8](data)) }
            print(ModuleInspection(module).report, terminator: "")
            return ExitStatus.success
        }
    )
}

/// The text of `tern inspect`: one heading per kind of item, then one line
/// per item (or `(none)`). Index spaces count imports first, as in Wasm.
struct ModuleInspection {
    let module: Module

    init(_ module: Module) { self.module = module }

    var report: String {
        let sections: [(String, [String])] = [
            ("imports", module.imports.map(describe)),
            ("exports", module.exports.map(describe)),
            ("memories", describeDefinitions(module.importedMemories, module.memories, kind: .memory, describe)),
            ("tables", describeDefinitions(module.importedTables, module.tables, kind: .table, describe)),
            ("globals", describeDefinitions(module.importedGlobals, module.globals.map(\.type), kind: .global, describe)
                .enumerated().map { index, line in line + initializer(ofGlobal: index) }),
        ]
        return sections.map { heading, lines in
            "\(heading):\n" + (lines.isEmpty ? ["(none)"] : lines).map { "  \($0)\n" }.joined()
        }.joined()
    }

    private func describe(_ item: Import) -> String {
        let type = switch item.descriptor {
        case .function(let typeIndex): describeFunctionType(typeIndex)
        case .table(let table): describe(table)
        case .memory(let memory): describe(memory)
        case .global(let global): describe(global)
        }
        return "\(item.descriptor.kind) \(item.module).\(item.name): \(type)"
    }

    private func describe(_ export: Export) -> String {
        let index = Int(export.index)
        let type: String? = switch export.kind {
        case .function: module.allFunctionTypeIndices[safe: index].map(describeFunctionType)
        case .table: module.allTables[safe: index].map(describe)
        case .memory: module.allMemories[safe: index].map(describe)
        case .global: module.allGlobalTypes[safe: index].map(describe)
        }
        return "\(export.kind) \(export.name): \(export.kind) \(index)" + (type.map { " \($0)" } ?? "")
    }

    /// `kind N: TYPE`, imported items first (marked so).
    private func describeDefinitions<T>(_ imported: [T], _ defined: [T], kind: ExternalKind, _ describe: (T) -> String) -> [String] {
        let importedLines = imported.enumerated().map { "\(kind) \($0): \(describe($1)) (imported)" }
        let definedLines = defined.enumerated().map { "\(kind) \(imported.count + $0): \(describe($1))" }
        return importedLines + definedLines
    }

    private func initializer(ofGlobal index: Int) -> String {
        let definedIndex = index - module.importedGlobals.count
        guard definedIndex >= 0 else { return "" }
        return " = " + describe(module.globals[definedIndex].initializer)
    }

    private func describeFunctionType(_ typeIndex: UInt32) -> String {
        module.types[safe: Int(typeIndex)].map(\.description) ?? "type \(typeIndex) (undefined)"
    }

    private func describe(_ memory: MemoryType) -> String { "pages " + describe(memory.limits) }

    private func describe(_ table: TableType) -> String { "\(table.elementType), elements " + describe(table.limits) }

    private func describe(_ global: GlobalType) -> String { (global.isMutable ? "mut " : "") + "\(global.valueType)" }

    private func describe(_ limits: Limits) -> String {
        "min \(limits.min), " + (limits.max.map { "max \($0)" } ?? "no max")
    }

    private func describe(_ expression: ConstExpression) -> String {
        switch expression {
        case .i32(let value): "i32.const \(value)"
        case .i64(let value): "i64.const \(value)"
        case .f32(let bits): "f32.const \(ValueText.format(Float(bitPattern: bits)))"
        case .f64(let bits): "f64.const \(ValueText.format(Double(bitPattern: bits)))"
        case .refNull(let type): "ref.null \(type == .funcref ? "func" : "extern")"
        case .refFunc(let index): "ref.func \(index)"
        case .globalGet(let index): "global.get \(index)"
        }
    }
}

private extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
