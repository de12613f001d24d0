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
    /// Loads MailOAuth's own copies from <c>dependencies/</c>; assemblies of the shared framework (the
    /// trusted platform assemblies) stay shared, so BCL types such as SecureString are the same on both sides.
    /// </summary>
    private sealed class DependencyLoadContext : AssemblyLoadContext
    {
        private readonly string _folder;
        private readonly HashSet<string> _framework;

        public DependencyLoadContext(string folder)
        {
            _folder = folder;
            _framework = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
            foreach (var path in tpa.Split(Path.PathSeparator))
                if (path.Length > 0) _framework.Add(Path.GetFileNameWithoutExtension(path));
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name is null || _framework.Contains(assemblyName.Name)) return null;
            var path = Path.Combine(_folder, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
