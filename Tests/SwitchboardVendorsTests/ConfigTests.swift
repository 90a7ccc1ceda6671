import Foundation
import SwitchboardCore
import Testing

@testable import SwitchboardVendors

@Suite("Configuration")
struct ConfigTests {
    let sample = """
    default_vendor = "chatrhub-uat"

    [vendors.chatrhub-uat]
    type = "chatrhub"
    base_url = "https://uat.chat.example.com"
    api_key_env = "CH_KEY"

    [vendors.agentiq]
    base_url = "https://api-v2.bank.agentiq.co"
    api_key_env = "AIQ_KEY"
    paths.agents = "/api/v2/exports/agents"

    [vendors.smartassist]
    base_url = "https://smartassist.kore.ai"
    stream_id = "st-1"
    account_id = "acc-1"
    client_id = "cs-1"
    client_secret_env = "KORE_SECRET"
    """

    @Test func namedConnectionsTypesEnvSecretsAndPaths() throws {
        let c = try VendorConfig.parse(sample, path: "/tmp/c.toml", mode: 0o644, environment: ["CH_KEY": "k1", "AIQ_KEY": "k2", "KORE_SECRET": "s3"])
        #expect(c.defaultVendor == "chatrhub-uat")
        let ch = try #require(c.connections.first { $0.name == "chatrhub-uat" })
        #expect(ch.type == "chatrhub")
        #expect(ch.credentials["api_key"] == "k1")
        let aiq = try #require(c.connections.first { $0.name == "agentiq" })
        #expect(aiq.type == "agentiq")
        #expect(aiq.options["paths.agents"] == "/api/v2/exports/agents")
        let sa = try #require(c.connections.first { $0.name == "smartassist" })
        #expect(sa.credentials["client_secret"] == "s3")
        #expect(sa.value("stream_id") == "st-1")
    }

    @Test func unsetEnvironmentVariableMarksOnlyThatConnection() throws {
        let c = try VendorConfig.parse(sample, environment: ["CH_KEY": "k1"])
        #expect(c.connections.first { $0.name == "chatrhub-uat" }?.problem == nil)
        #expect(c.connections.first { $0.name == "agentiq" }?.problem?.contains("AIQ_KEY") == true)
    }

    @Test func inlineSecretNeedsMode600() throws {
        let text = """
        [vendors.dixa]
        base_url = "https://dev.dixa.io"
        api_key = "sk-inline-secret-123"
        """
        let e = #expect(throws: ConfigError.self) { try VendorConfig.parse(text, path: "/home/u/.config/switchboard/config.toml", mode: 0o644) }
        #expect(e?.message.contains("chmod 600 /home/u/.config/switchboard/config.toml") == true)
        #expect(e?.message.contains("sk-inline-secret-123") == false)
        let ok = try VendorConfig.parse(text, path: "x.toml", mode: 0o600)
        #expect(ok.connections[0].credentials["api_key"] == "sk-inline-secret-123")
    }

    @Test func modeIsReadFromTheFile() throws {
        let path = NSTemporaryDirectory() + "swb-config-\(UUID().uuidString).toml"
        try "[vendors.dixa]\nbase_url = \"https://dev.dixa.io\"\napi_key = \"abcd1234\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: ConfigError.self) { try VendorConfig.load(path: path, environment: [:]) }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(try VendorConfig.load(path: path, environment: [:])?.connections.count == 1)
    }

    @Test func plainHTTPOnlyOnLoopback() throws {
        for host in ["http://127.0.0.1:8400", "http://localhost:5000", "http://[::1]:80"] {
            _ = try VendorConfig.parse("[vendors.dixa]\nbase_url = \"\(host)\"\n")
        }
        let e = #expect(throws: ConfigError.self) { try VendorConfig.parse("[vendors.dixa]\nbase_url = \"http://dev.dixa.io\"\n") }
        #expect(e?.message.contains("http://") == true)
        #expect(throws: ConfigError.self) {
            try VendorRegistry(connections: [VendorConnection(name: "dixa", baseURL: "http://example.com", credentials: [:])])
        }
    }

    @Test func errorsNameTheProblem() throws {
        #expect(throws: ConfigError.self) { try VendorConfig.parse("[vendors.foo]\nbase_url = \"https://x.io\"\n") }
        #expect(throws: ConfigError.self) { try VendorConfig.parse("[vendors.dixa]\napi_key_env = \"X\"\n") }
        #expect(throws: ConfigError.self) { try VendorConfig.parse("default_vendor = \"nope\"\n[vendors.dixa]\nbase_url = \"https://x.io\"\n") }
        #expect(throws: ConfigError.self) { try VendorConfig.parse("this is = = not toml") }
    }

    @Test func defaultPathOrder() {
        #expect(VendorConfig.defaultPath(environment: ["SWB_CONFIG": "/a.toml", "XDG_CONFIG_HOME": "/x"]) == "/a.toml")
        #expect(VendorConfig.defaultPath(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/switchboard/config.toml")
        #expect(VendorConfig.defaultPath(environment: ["HOME": "/h"]) == "/h/.config/switchboard/config.toml")
    }

    @Test func smartAssistJWTIsHS256OfTheClientId() {
        let t = SmartAssistAdapter.mintJWT(clientId: "cs-1", secret: "s")
        let parts = t.split(separator: ".")
        #expect(parts.count == 3)
        #expect(parts[0] == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9")
    }
}
