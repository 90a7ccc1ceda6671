import Foundation
import TOMLKit

/// One configured connection to a vendor account (`[vendors.NAME]` in config.toml).
/// `type` picks the adapter (`chatrhub`, `agentiq`, `smartassist`, `dixa`, or a host's own
/// adapter type given to `VendorRegistry`); `name` is what objects carry as their `vendor` field.
public struct VendorConnection: Sendable {
    public var name: String
    public var type: String
    /// Scheme, host and port, e.g. `https://chat.example.com`; vendor paths go after it.
    public var baseURL: String
    /// Secrets and ids: `api_key`, `jwt`, `client_id`, `client_secret`, `account_id`, `stream_id`.
    public var credentials: [String: String]
    /// Everything else: `paths.agents` (Agent IQ path overrides), `timeout`, ...
    public var options: [String: String]
    /// Set when a secret could not be read (an unset `*_env` variable); using the
    /// connection then fails with this message, while other connections still work.
    public var problem: String?

    public init(name: String, type: String? = nil, baseURL: String, credentials: [String: String] = [:],
                options: [String: String] = [:]) {
        self.name = name
        self.type = type ?? name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.credentials = credentials
        self.options = options
    }

    /// A credential or option by key.
    public func value(_ key: String) -> String? { credentials[key] ?? options[key] }

    /// The credential values that must never be shown.
    public var secrets: [String] {
        VendorConnection.secretKeys.compactMap { credentials[$0] }.filter { !$0.isEmpty }
    }

    static let secretKeys = ["api_key", "jwt", "client_secret", "token", "password"]
    /// The built-in types; a registry's `knownTypes` adds the host's own.
    public static var knownTypes: [String] { VendorRegistry.builtinAdapterTypes.map { $0.type } }
}

/// The configuration: connections and the default vendor.
public struct VendorConfig: Sendable {
    public var connections: [VendorConnection]
    public var defaultVendor: String?
    /// The file it was read from, if any.
    public var path: String?

    public init(connections: [VendorConnection], defaultVendor: String? = nil, path: String? = nil) {
        self.connections = connections
        self.defaultVendor = defaultVendor
        self.path = path
    }

    /// `$SWB_CONFIG`, else `$XDG_CONFIG_HOME/switchboard/config.toml`, else `~/.config/switchboard/config.toml`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let p = environment["SWB_CONFIG"], !p.isEmpty { return p }
        if let x = environment["XDG_CONFIG_HOME"], !x.isEmpty { return x + "/switchboard/config.toml" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.config/switchboard/config.toml"
    }

    /// Reads the configuration file, or nil when there is none. `types` are the adapter types a
    /// connection may name (default: the built-ins; a host passes its registry's `knownTypes`).
    public static func load(path: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                            types: [String] = VendorConnection.knownTypes) throws -> VendorConfig? {
        let file = path ?? defaultPath(environment: environment)
        guard FileManager.default.fileExists(atPath: file) else {
            if path != nil || environment["SWB_CONFIG"] != nil { throw ConfigError("config file \(file) does not exist") }
            return nil
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw ConfigError("cannot read config file \(file)") }
        var mode: Int? = nil
        if let attrs = try? FileManager.default.attributesOfItem(atPath: file), let perms = attrs[.posixPermissions] as? NSNumber {
            mode = perms.intValue
        }
        return try parse(String(decoding: data, as: UTF8.self), path: file, mode: mode, environment: environment, types: types)
    }

    /// Parses config text. `mode` is the file's permission bits: inline secrets need `0600` (or stricter).
    public static func parse(_ text: String, path: String = "config.toml", mode: Int? = nil,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             types: [String] = VendorConnection.knownTypes) throws -> VendorConfig {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError("\(path):\(e.source.begin.line):\(e.source.begin.column): \(e.description)")
        } catch {
            throw ConfigError("\(path): not valid TOML")
        }
        var connections: [VendorConnection] = []
        var inlineSecrets: [String] = []
        if let vendors = table["vendors"] {
            guard let vt = vendors.table else { throw ConfigError("\(path): `vendors` must be a table of [vendors.NAME] sections") }
            for name in vt.keys.sorted() {
                guard let section = vt[name]?.table else { throw ConfigError("\(path): [vendors.\(name)] must be a table") }
                var credentials: [String: String] = [:]
                var options: [String: String] = [:]
                var baseURL: String?
                var type: String?
                var problem: String?
                for key in section.keys {
                    let value = section[key]!
                    if key == "paths" {
                        guard let paths = value.table else { throw ConfigError("\(path): vendors.\(name).paths must be a table") }
                        for p in paths.keys {
                            guard let s = paths[p]?.string else { throw ConfigError("\(path): vendors.\(name).paths.\(p) must be a string") }
                            guard s.hasPrefix("/") else { throw ConfigError("\(path): vendors.\(name).paths.\(p) must start with `/`") }
                            options["paths." + p] = s
                        }
                        continue
                    }
                    let text: String
                    if let s = value.string { text = s } else if let i = value.int { text = String(i) } else if let b = value.bool {
                        text = String(b)
                    } else if let d = value.double { text = String(d) } else {
                        throw ConfigError("\(path): vendors.\(name).\(key) must be a string")
                    }
                    switch key {
                    case "base_url": baseURL = text
                    case "type": type = text
                    case _ where key.hasSuffix("_env"):
                        let target = String(key.dropLast(4))
                        if let v = environment[text], !v.isEmpty { credentials[target] = v } else {
                            problem = "vendors.\(name).\(key) names the environment variable \(text), which is not set"
                        }
                    case "api_key", "jwt", "client_secret", "token", "password":
                        credentials[key] = text
                        inlineSecrets.append("vendors.\(name).\(key)")
                    case "client_id", "account_id", "stream_id":
                        credentials[key] = text
                    default:
                        options[key] = text
                    }
                }
                guard let base = baseURL else { throw ConfigError("\(path): [vendors.\(name)] needs base_url") }
                let kind = type ?? name
                guard types.contains(kind) else {
                    throw ConfigError("\(path): [vendors.\(name)] has unknown type `\(kind)`; set type to one of \(types.joined(separator: ", "))")
                }
                try checkURL(base, name: name, path: path)
                var c = VendorConnection(name: name, type: kind, baseURL: base, credentials: credentials, options: options)
                if let problem, c.secrets.isEmpty { c.problem = problem }
                connections.append(c)
            }
        }
        if !inlineSecrets.isEmpty, let mode, mode & 0o077 != 0 {
            throw ConfigError(
                "config file \(path) holds secrets (\(inlineSecrets.joined(separator: ", "))) but others can read it (mode \(String(mode & 0o777, radix: 8))); run `chmod 600 \(path)`, or use *_env variables instead")
        }
        var def: String? = nil
        if let d = table["default_vendor"] {
            guard let s = d.string else { throw ConfigError("\(path): default_vendor must be a string") }
            guard connections.contains(where: { $0.name == s }) else {
                throw ConfigError("\(path): default_vendor is `\(s)`, but there is no [vendors.\(s)]")
            }
            def = s
        }
        return VendorConfig(connections: connections, defaultVendor: def ?? connections.first?.name, path: path)
    }

    /// `https://` anywhere; `http://` only on loopback.
    static func checkURL(_ url: String, name: String, path: String) throws {
        guard let u = URLComponents(string: url), let scheme = u.scheme?.lowercased(), let host = u.host, !host.isEmpty else {
            throw ConfigError("\(path): vendors.\(name).base_url `\(url)` is not a URL like https://host")
        }
        if scheme == "https" { return }
        if scheme == "http" {
            if isLoopback(host) { return }
            throw ConfigError("\(path): vendors.\(name).base_url uses http:// to \(host); only https:// is allowed except on loopback (127.0.0.1, localhost)")
        }
        throw ConfigError("\(path): vendors.\(name).base_url must start with https://")
    }

    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return h == "localhost" || h == "::1" || h.hasPrefix("127.") || h.hasSuffix(".localhost")
    }
}

/// A configuration problem, with a message that says how to fix it.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
