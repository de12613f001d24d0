using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// Who may do what (docs/service-behaviour.md#microsoft-graph, #authorization-denied). App tokens are checked against <c>roles</c>, delegated ones
/// against <c>scp</c>. Missing rights give 403 Authorization_RequestDenied.
/// </summary>
public static class DirectoryPermissions
{
    private const string ReadWriteAll = "Application.ReadWrite.All";
    private const string OwnedBy = "Application.ReadWrite.OwnedBy";

    private static readonly string[] ReadApplications = ["Application.Read.All", ReadWriteAll, "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] ReadUsers = ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] ReadDomains = ["Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] ReadOrganization = ["Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];

    /// <summary>Lists of applications and service principals, and any of them by key.</summary>
    public static bool CanReadAllApplications(GraphCaller caller) => caller.HasAnyPermission(ReadApplications);

    /// <summary>
    /// One application: with a read permission; owned ones with OwnedBy; and its own application
    /// without any ("A service principal can retrieve its own application and service principal
    /// details without being granted any application permissions", docs/service-behaviour.md#service-principal).
    /// </summary>
    public static bool CanReadApplication(GraphCaller caller, DirectoryApplication application) =>
        CanReadAllApplications(caller)
        || (caller.HasAnyPermission(OwnedBy) && application.Owners.Contains(caller.PrincipalId))
        || (caller.IsAppOnly && caller.AppId == application.AppId.ToString());

    public static bool CanReadServicePrincipal(GraphCaller caller, ServicePrincipal servicePrincipal) =>
        CanReadAllApplications(caller)
        || (caller.HasAnyPermission(OwnedBy) && servicePrincipal.Owners.Contains(caller.PrincipalId))
        || (caller.IsAppOnly && caller.ObjectId == servicePrincipal.Id.ToString());

    /// <summary>Creating applications (and service principals): Application.ReadWrite.All or .OwnedBy.</summary>
    public static bool CanCreateApplications(GraphCaller caller) => caller.HasAnyPermission(ReadWriteAll, OwnedBy);

    /// <summary>Changing one: Application.ReadWrite.All, or .OwnedBy for an owner.</summary>
    public static bool CanWrite(GraphCaller caller, IReadOnlySet<Guid> owners) =>
        caller.HasAnyPermission(ReadWriteAll) || (caller.HasAnyPermission(OwnedBy) && owners.Contains(caller.PrincipalId));

    /// <summary>
    /// appRoleAssignedTo / appRoleAssignments writes: AppRoleAssignment.ReadWrite.All **and** a
    /// permission to read applications (docs/service-behaviour.md#app-role-assignment: without Application.Read.All, 403).
    /// </summary>
    public static bool CanWriteAssignments(GraphCaller caller) =>
        caller.HasAnyPermission("AppRoleAssignment.ReadWrite.All") && CanReadAllApplications(caller);

    public static bool CanReadUsers(GraphCaller caller) => caller.HasAnyPermission(ReadUsers);

    public static bool CanReadDomains(GraphCaller caller) => caller.HasAnyPermission(ReadDomains);

    /// <summary>Every property of the organization; without it only id, displayName and verifiedDomains (docs/service-behaviour.md#organization).</summary>
    public static bool CanReadOrganization(GraphCaller caller) => caller.HasAnyPermission(ReadOrganization);
}
