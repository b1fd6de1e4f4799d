import TernEngine
import TernFormat

/// The `spectest` module that the spec scripts import: print functions,
/// constant globals, a table and a memory, with the contents the reference
/// interpreter gives them.
enum SpectestHostModule {
    static let name = "spectest"

    /// Defines `spectest` in `linker`, with its table, memory and globals in
    /// `store`. Each print function reports its call to `output`, formatted
    /// as wabt's `spectest-interp` does.
    static func define(in linker: Linker, store: Store, output: @escaping (String) -> Void) throws(InstantiationError) {
        let printFunctions: [(String, [ValueType])] = [
            ("print", []),
            ("print_i32", [.i32]),
            ("print_i64", [.i64]),
            ("print_f32", [.f32]),
            ("print_f64", [.f64]),
            ("print_i32_f32", [.i32, .f32]),
            ("print_f64_f64", [.f64, .f64]),
        ]
        for (functionName, parameters) in printFunctions {
            let type = FunctionType(parameters: parameters, results: [])
            linker.define(module: name, name: functionName, function: HostFunction(type: type) { _, arguments in
                let list = arguments.map(\.description).joined(separator: ", ")
                output("called host \(name).\(functionName)(\(list)) =>")
                return []
            })
        }

        let globals: [(String, Value)] = [
            ("global_i32", Value(Int32(666))),
            ("global_i64", Value(Int64(666))),
            ("global_f32", Value(Float(666.6))),
            ("global_f64", Value(Double(666.6))),
        ]
        for (globalName, value) in globals {
            let type = GlobalType(valueType: value.type, isMutable: false)
            linker.define(module: name, name: globalName, .global(Global(store: store, type: type, value: value)))
        }

        let tableType = TableType(elementType: .funcref, limits: Limits(min: 10, max: 20))
        linker.define(module: name, name: "table", .table(try Table(store: store, type: tableType, initialValue: .funcRef(nil))))
        let memoryType = MemoryType(limits: Limits(min: 1, max: 2))
        linker.define(module: name, name: "memory", .memory(try Memory(store: store, type: memoryType)))
    }
}
