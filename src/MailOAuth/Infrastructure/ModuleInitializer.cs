using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MailOAuth.Infrastructure;

/// <summary>
/// Keeps MailOAuth's dependencies (Azure.Identity, MSAL, Kiota, Microsoft.Graph) private, so the module
/// works in the same session as Az.Accounts, Microsoft.Graph or ExchangeOnlineManagement whatever their
/// versions (docs/design.md#type-boundary; msgraph-sdk-powershell #3394).
/// Core and its dependencies live in <c>dependencies/</c> beside this assembly. On PowerShell 7 they load
/// into a private AssemblyLoadContext, bridged by one event: the default context asks for MailOAuth.Core
/// (the only dependency this assembly names) and gets it from the private context, which then resolves
/// everything Core needs from <c>dependencies/</c> first. On Windows PowerShell 5.1 (no load contexts)
/// the folder is simply probed.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    /// <summary>
    /// Remove-Module forgets this runspace's MailOAuth session (its admin connection and cached app
    /// credentials): a module imported again starts without a connection.
    /// </summary>
    public void OnRemove(PSModuleInfo psModuleInfo) => SessionRegistry.Forget(System.Management.Automation.Runspaces.Runspace.DefaultRunspace);

    private static readonly string s_dependencies = Path.Combine(
        Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".", "dependencies");

    private static readonly object s_gate = new();
    private static bool s_registered;
    private static readonly bool s_isCore = !RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

    /// <summary>
    /// Registers the resolver once per process. It is never removed: the cmdlet assembly cannot be
    /// unloaded, and a Remove-Module / Import-Module -Force must find Core again.
    /// </summary>
    public void OnImport()
    {
        lock (s_gate)
        {
            if (s_registered) return;
            if (s_isCore) CoreBridge.Register(s_dependencies);
            else AppDomain.CurrentDomain.AssemblyResolve += ResolveOnFramework;
            s_registered = true;
        }
    }

    /// <summary>
    /// Windows PowerShell has no load contexts: answer only for requests that come from MailOAuth's own
    /// assemblies (or from none), and only with an assembly of the same public key, so another module
    /// is never handed our copies.
    /// </summary>
    private static Assembly? ResolveOnFramework(object? sender, ResolveEventArgs args)
    {
        var requester = args.RequestingAssembly;
        if (requester is not null)
        {
            var location = requester.IsDynamic ? "" : requester.Location;
            var ours = requester == typeof(ModuleInitializer).Assembly
                || location.StartsWith(s_dependencies, StringComparison.OrdinalIgnoreCase);
            if (!ours) return null;
        }
        var wanted = new AssemblyName(args.Name);
        var path = Path.Combine(s_dependencies, wanted.Name + ".dll");
        if (!File.Exists(path)) return null;
        var candidate = AssemblyName.GetAssemblyName(path);
        var wantedKey = wanted.GetPublicKeyToken();
        var candidateKey = candidate.GetPublicKeyToken();
        if (wantedKey is { Length: > 0 } && !SameBytes(wantedKey, candidateKey)) return null;
        return Assembly.LoadFrom(path);
    }

    // No Span here: this runs while assemblies such as System.Memory are still being resolved.
    private static bool SameBytes(byte[] a, byte[]? b)
    {
        if (b is null || a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++) if (a[i] != b[i]) return false;
        return true;
    }
}
