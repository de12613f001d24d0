using Microsoft.Graph.Models;

namespace MailOAuth.Core.Entra;

/// <summary>
/// The tenant-wide Mail.Send grant: an appRoleAssignment of Mail.Send (application) on Microsoft Graph's service
/// principal (docs/service-behaviour.md#app-role-assignment). One predicate, so every reader counts the same grant.
/// </summary>
internal static class MailSendGrant
{
    /// <summary>
    /// True when <paramref name="assignment"/> is the tenant-wide Mail.Send grant. <paramref name="graphServicePrincipalId"/>
    /// is Microsoft Graph's service principal object id; null when it could not be read, then the app role id alone decides
    /// (Mail.Send's id is Graph's, the same in every tenant and cloud).
    /// </summary>
    public static bool IsTenantWide(AppRoleAssignment assignment, string? graphServicePrincipalId) =>
        assignment.AppRoleId == EntraIds.MailSendAppRoleId
        && (graphServicePrincipalId is null || assignment.ResourceId?.ToString() == graphServicePrincipalId);
}
