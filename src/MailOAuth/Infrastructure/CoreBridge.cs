using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace MailOAuth.Infrastructure;

/// <summary>
/// The PowerShell 7 half of <see cref="ModuleInitializer"/>. Kept in its own class so that Windows
/// PowerShell never compiles code that names AssemblyLoadContext.
/// </summary>
internal static class CoreBridge
{
    private const string CoreAssembly = "MailOAuth.Core";
    private static readonly object s_gate = new();
    private static DependencyLoadContext? s_context;

    public static void Register(string dependencies)
    {
        lock (s_gate)
        {
            if (s_context is not null) return;
            s_context = new DependencyLoadContext(dependencies);
            AssemblyLoadContext.Default.Resolving += ResolveCore;
        }
    }

    /// <summary>The bridge: only MailOAuth.Core crosses from the default context into the private one.</summary>
    private static Assembly? ResolveCore(AssemblyLoadContext defaultContext, AssemblyName name) =>
        name.Name == CoreAssembly ? s_context?.LoadFromAssemblyName(name) : null;

    /// <summary>
    /// Loads MailOAuth's own copies from <c>dependencies/</c>. An assembly of the shared framework (a
    /// trusted platform assembly) stays shared — so BCL types such as SecureString are the same on both
    /// sides — but only when the platform's copy is at least the version asked for: PowerShell 7.4 runs
    /// on .NET 8, whose System.Text.Json (8.0) cannot serve a dependency built against 10.0.
    /// </summary>
    private sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private readonly string _folder;
        private readonly Dictionary<string, string> _framework;
        private readonly Dictionary<string, Version?> _frameworkVersions = new(StringComparer.OrdinalIgnoreCase);

        public DependencyLoadContext(string folder)
        {
            _folder = folder;
            _framework = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
            foreach (var path in tpa.Split(Path.PathSeparator))
                if (path.Length > 0) _framework[Path.GetFileNameWithoutExtension(path)] = path;
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name is null) return null;
            var ours = Path.Combine(_folder, assemblyName.Name + ".dll");
            if (_framework.TryGetValue(assemblyName.Name, out var platformPath))
            {
                var platformVersion = FrameworkVersion(assemblyName.Name, platformPath);
                if (platformVersion is null || assemblyName.Version is null || platformVersion >= assemblyName.Version || !File.Exists(ours))
                    return null; // the shared framework's copy serves
            }
            return File.Exists(ours) ? LoadFromAssemblyPath(ours) : null;
        }

        private Version? FrameworkVersion(string name, string path)
        {
            lock (_frameworkVersions)
            {
                if (!_frameworkVersions.TryGetValue(name, out var version))
                {
                    try
                    {
                        version = AssemblyName.GetAssemblyName(path).Version;
                    }
                    catch (Exception ex) when (ex is IOException or BadImageFormatException or UnauthorizedAccessException)
                    {
                        version = null;
                    }
                    _frameworkVersions[name] = version;
                }
                return version;
            }
        }
    }
}
