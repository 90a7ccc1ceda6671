// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Switchboard", targets: ["Switchboard"]),
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .executable(name: "swb", targets: ["swb"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit", from: "6.4.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The language: syntax, runtime, data commands, diagnostics. No networking, no terminal.
        .target(
            name: "SwitchboardCore",
            resources: [.copy("Prelude")]
        ),
        // Local emulators of the four vendor APIs.
        .target(
            name: "SwitchboardSandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"]
        ),
        // Configuration, HTTP transport, one adapter per vendor, resource and action commands.
        .target(
            name: "SwitchboardVendors",
            dependencies: [
                "SwitchboardCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"]), .brew(["libedit"])]
        ),
        .target(name: "LineEditor", dependencies: ["CLibEdit"]),
        // The embedding facade: core + vendors + configuration.
        .target(
            name: "Switchboard",
            dependencies: ["SwitchboardCore", "SwitchboardVendors", "SwitchboardSandbox"]
        ),
        .executableTarget(
            name: "swb",
            dependencies: ["Switchboard", "LineEditor"]
        ),
        // An example host embedding the library (built with everything else).
        .executableTarget(name: "host-demo", dependencies: ["Switchboard"], path: "Examples/HostDemo"),
        .testTarget(name: "SwitchboardCoreTests", dependencies: ["SwitchboardCore"]),
        .testTarget(
            name: "SwitchboardSandboxTests",
            dependencies: [
                "SwitchboardSandbox",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                .product(name: "Yams", package: "Yams"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "SwitchboardVendorsTests", dependencies: ["SwitchboardVendors", "SwitchboardSandbox"]),
        .testTarget(name: "LineEditorTests", dependencies: ["LineEditor"]),
        .testTarget(name: "SwitchboardTests", dependencies: ["Switchboard"], exclude: ["Fixtures"]),
    ]
)
