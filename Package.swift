// swift-tools-version:6.0
// Tern: a WebAssembly function runtime. Dependencies between targets are
// one-way, bottom to top (see docs/architecture.md):
//   TernFormat <- TernEngine <- TernWASI <- TernProxyWasm <- TernRuntime <- tern (CLI)
//   TernHTTP (no WebAssembly) <- TernRuntime;  TernEngine <- TernSpecTest <- tern
import PackageDescription

/// The interpreter's hot loop relies on explicit wrapping arithmetic and
/// unchecked pointer access; exclusivity checks would add a runtime call per
/// access to instance state, so the engine opts out of them.
let engineSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"]),
]

let package = Package(
    name: "Tern",
    products: [
        .executable(name: "tern", targets: ["tern"]),
        .library(name: "TernEngine", targets: ["TernEngine"]),
    ],
    targets: [
        .target(name: "TernFormat"),
        .target(name: "TernEngine", dependencies: ["TernFormat"], swiftSettings: engineSettings),
        .target(name: "TernSpecTest", dependencies: ["TernEngine"]),
        .target(name: "TernWASI", dependencies: ["TernEngine"]),
        .executableTarget(name: "tern", dependencies: ["TernEngine", "TernSpecTest", "TernWASI", "TernRuntime", "TernHTTP"]),
        // Shared test helpers (module builder and mutator, tool lookup); used by tests only.
        .target(name: "TernTestSupport", dependencies: ["TernFormat"]),
        .testTarget(name: "TernFormatTests", dependencies: ["TernFormat", "TernTestSupport"]),
        .testTarget(name: "TernEngineTests", dependencies: ["TernEngine", "TernTestSupport"]),
        .testTarget(name: "TernSpecTestTests", dependencies: ["TernSpecTest", "TernTestSupport"]),
        .testTarget(name: "TernCLITests", dependencies: ["tern", "TernTestSupport"]),
        .testTarget(name: "TernWASITests", dependencies: ["TernWASI", "TernTestSupport"]),
        .target(name: "CTernSystem"),
        .target(name: "TernHTTP", dependencies: ["CTernSystem"]),
        .testTarget(name: "TernHTTPTests", dependencies: ["TernHTTP"]),
        .target(name: "TernProxyWasm", dependencies: ["TernEngine", "TernWASI"]),
        .testTarget(name: "TernProxyWasmTests", dependencies: ["TernProxyWasm"]),
        .target(name: "TernRuntime", dependencies: ["TernProxyWasm", "TernHTTP", "TernWASI"]),
        .testTarget(name: "TernRuntimeTests", dependencies: ["TernRuntime", "TernTestSupport"]),
    ]
)
