Describe 'Connect-MailOAuth against the sandbox' -Tag 'Connect' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:cmd = 'MailOAuth.Commands.ConnectMailOAuthCommand'
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach { Disconnect-MailOAuth; Reset-MailOAuthSandbox -Sandbox $sandbox }

    It 'signs in with a client secret and reports the granted roles' {
        $c = Connect-SandboxAdmin -Sandbox $sandbox
        $c | Should -BeOfType 'MailOAuth.Output.MailOAuthConnection'
        $c.Method | Should -Be 'ClientSecret'
        $c.TenantId | Should -Be $info.tenantId
        $c.ClientId | Should -Be $info.admin.clientId
        $c.Roles | Should -Contain 'Application.ReadWrite.All'
        $c.Roles | Should -Contain 'AppRoleAssignment.ReadWrite.All'
    }

    It 'signs in with a tenant domain and resolves the tenant GUID' {
        $c = Connect-MailOAuth -TenantId $info.tenantDomain -ClientId $info.admin.clientId -ClientSecret (ConvertTo-TestSecret $info.admin.clientSecret) -Environment Sandbox
        $c.TenantId | Should -Be $info.tenantId
    }

    It 'signs in with a certificate file (client assertion)' {
        $c = Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -CertificatePath $info.admin.certificatePath `
            -CertificatePassword (ConvertTo-TestSecret $info.admin.certificatePassword) -Environment Sandbox
        $c.Method | Should -Be 'Certificate'
        $c.Roles | Should -Contain 'Application.ReadWrite.All'
    }

    It 'signs in with a certificate from the CurrentUser store by thumbprint' {
        $cert = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($info.admin.certificatePath, $info.admin.certificatePassword,
            [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::PersistKeySet -bor [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::Exportable)
        $store = [System.Security.Cryptography.X509Certificates.X509Store]::new('My', 'CurrentUser')
        $store.Open('ReadWrite'); $store.Add($cert)
        try {
            $c = Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -CertificateThumbprint $info.admin.certificateThumbprint -Environment Sandbox
            $c.Method | Should -Be 'Certificate'
        }
        finally { $store.Remove($cert); $store.Close() }
    }

    It 'signs in with an access token obtained elsewhere, making no token request' {
        $token = Get-MailOAuthSandboxToken -Sandbox $sandbox -ClientId $info.admin.clientId -ClientSecret $info.admin.clientSecret
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $c = Connect-MailOAuth -AccessToken (ConvertTo-TestSecret $token) -Environment Sandbox
        $c.Method | Should -Be 'AccessToken'
        $c.TenantId | Should -Be $info.tenantId
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'token').Count | Should -Be 0
    }

    It 'refuses an access token that is <Name> before any request' -ForEach @(
        @{ Name = 'for another resource'; Aud = 'https://management.azure.com'; Exp = 4102444800 }
        @{ Name = 'expired'; Aud = $null; Exp = 946684800 }
    ) {
        function b64url([string] $json) { [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json)).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
        $aud = if ($Aud) { $Aud } else { $info.graphEndpoint }
        $jwt = (b64url '{"alg":"RS256","typ":"JWT"}') + '.' + (b64url "{""aud"":""$aud"",""exp"":$Exp,""tid"":""$($info.tenantId)""}") + '.c2ln'
        { Connect-MailOAuth -AccessToken (ConvertTo-TestSecret $jwt) -Environment Sandbox -ErrorAction Stop } | Should -Throw -ErrorId "InvalidSignInInput,$cmd"
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox).Count | Should -Be 0
    }

    It 'signs in with a federated token (workload identity federation)' {
        $federated = (Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/federated-token' -Body @{ subject = $info.admin.federatedSubject; audience = 'api://AzureADTokenExchange' }).token
        $c = Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -FederatedToken (ConvertTo-TestSecret $federated) -Environment Sandbox
        $c.Method | Should -Be 'FederatedToken'
        $c.Roles | Should -Contain 'Application.ReadWrite.All'
    }

    It 'signs in with a federated token file, read again for each assertion (AKS workload identity)' {
        $file = Join-Path ([IO.Path]::GetTempPath()) "mailoauth-federated-$([guid]::NewGuid())"
        try {
            (Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/federated-token' -Body @{ subject = $info.admin.federatedSubject }).token | Set-Content -Path $file -NoNewline
            $c = Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -FederatedTokenFile $file -Environment Sandbox
            $c.Method | Should -Be 'FederatedToken'
            $c.Roles | Should -Contain 'Application.ReadWrite.All'
            { Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -FederatedTokenFile "$file.missing" -Environment Sandbox -ErrorAction Stop } |
                Should -Throw -ErrorId "InvalidSignInInput,$cmd"
        }
        finally { Remove-Item $file -ErrorAction SilentlyContinue }
    }

    It 'signs in with a device code, showing the code on the warning stream' {
        $c = Connect-MailOAuth -TenantId $info.tenantId -UseDeviceCode -Environment Sandbox -WarningVariable w -WarningAction SilentlyContinue
        $c.Method | Should -Be 'DeviceCode'
        $c.Account | Should -Be $info.adminUser
        $c.Scopes | Should -Contain 'Application.ReadWrite.All'
        ($w -join "`n") | Should -Match 'devicelogin'
    }

    It 'signs in with a managed identity the way Azure Automation exposes it' {
        $env:IDENTITY_ENDPOINT = $info.managedIdentity.identityEndpoint
        $env:IDENTITY_HEADER = $info.managedIdentity.identityHeader
        try {
            $c = Connect-MailOAuth -ManagedIdentity -TenantId $info.tenantId -Environment Sandbox
            $c.Method | Should -Be 'ManagedIdentity'
            $c.ClientId | Should -Be $info.managedIdentity.clientId
            $c.Roles | Should -Contain 'Application.ReadWrite.All'
            $u = Connect-MailOAuth -ManagedIdentity -ClientId $info.managedIdentity.userAssignedClientId -TenantId $info.tenantId -Environment Sandbox
            $u.ClientId | Should -Be $info.managedIdentity.userAssignedClientId
            @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'msi').Count | Should -BeGreaterThan 0
        }
        finally { Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction SilentlyContinue }
    }

    It 'explains a wrong admin secret with its diagnosis' {
        { Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -ClientSecret (ConvertTo-TestSecret 'nope8Q~wrongwrongwrongwrongwrongwrong12') -Environment Sandbox -ErrorAction Stop } |
            Should -Throw -ErrorId "InvalidClientSecret,$cmd"
    }

    It 'refuses <Name> before any request' -ForEach @(
        @{ Name = 'a malformed tenant'; Splat = @{ TenantId = 'not_a_tenant'; ClientId = [guid]::NewGuid().Guid; ClientSecret = (ConvertTo-SecureString 'x' -AsPlainText -Force) } }
        @{ Name = 'a non-GUID client id'; Splat = @{ TenantId = 'contoso.com'; ClientId = 'admin-app'; ClientSecret = (ConvertTo-SecureString 'x' -AsPlainText -Force) } }
        @{ Name = 'a malformed thumbprint'; Splat = @{ TenantId = 'contoso.com'; ClientId = [guid]::NewGuid().Guid; CertificateThumbprint = 'XYZ' } }
    ) {
        { Connect-MailOAuth @Splat -Environment Sandbox -ErrorAction Stop } | Should -Throw -ErrorId "ParameterArgumentValidationError,$cmd"
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox).Count | Should -Be 0
    }
}

Describe 'Provisioning: New-MailOAuthApp, Grant-MailSendConsent, Get/Remove-MailOAuthApp' -Tag 'Provisioning' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:adminToken = Get-MailOAuthSandboxToken -Sandbox $sandbox -ClientId $info.admin.clientId -ClientSecret $info.admin.clientSecret
        function script:AppsNamed([string] $Name) { @((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).applications | Where-Object displayName -EQ $Name) }
        function script:New-Name { "Email OAuth $([guid]::NewGuid().ToString('N').Substring(0, 8))" }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach {
        Reset-MailOAuthSandbox -Sandbox $sandbox
        Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds 0
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        Reset-MailOAuthSandbox -Sandbox $sandbox
    }

    It 'fails with NotConnected when there is no connection' {
        Disconnect-MailOAuth
        { New-MailOAuthApp -DisplayName (New-Name) -ErrorAction Stop } | Should -Throw -ErrorId 'NotConnected,MailOAuth.Commands.NewMailOAuthAppCommand'
        { Get-MailOAuthApp -ErrorAction Stop } | Should -Throw -ErrorId 'NotConnected,MailOAuth.Commands.GetMailOAuthAppCommand'
    }

    It 'onboards end to end in one pipeline (lag 0) with at most 6 directory writes and one admin token' {
        $name = New-Name
        $result = New-MailOAuthApp -DisplayName $name -SenderAddress $info.mailboxes.licensed |
            Grant-MailSendConsent -PassThru |
            Send-MailOAuthTest -To 'admin@contoso.com'
        $result.Status | Should -Be 'Accepted'
        $result.TokenRoles | Should -Contain 'Mail.Send'
        @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 1
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -BeLessOrEqual 6
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'token' -and $_.clientId -eq $info.admin.clientId }).Count | Should -BeLessOrEqual 1
        (AppsNamed $name).Count | Should -Be 1
    }

    It 'onboards under replication lag 20 s within lag + 10 s, riding out every symptom (no fixed sleep)' {
        Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds 20 -DirectoryLagSeconds 2
        $name = New-Name
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $result = New-MailOAuthApp -DisplayName $name -SenderAddress $info.mailboxes.licensed |
            Grant-MailSendConsent -PassThru |
            Send-MailOAuthTest -To 'admin@contoso.com'
        $sw.Stop()
        $result.Status | Should -Be 'Accepted'
        $sw.Elapsed.TotalSeconds | Should -BeLessOrEqual 30
        $sw.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 20   # the lag was really in force
        $log = @(Get-MailOAuthSandboxRequest -Sandbox $sandbox)
        @($log | Where-Object { $_.kind -eq 'token' -and $_.status -ne 200 }).Count | Should -BeGreaterThan 0   # symptoms were met
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox | Where-Object status -LT 300).Count | Should -BeLessOrEqual 6
        @($log | Where-Object { $_.kind -eq 'token' -and $_.clientId -eq $info.admin.clientId }).Count | Should -BeLessOrEqual 1
        (AppsNamed $name).Count | Should -Be 1
    }

    It 'converges when every endpoint lags alike (6 s) and the chain of dependencies takes several lags' {
        Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds 6
        $result = New-MailOAuthApp -DisplayName (New-Name) -SenderAddress $info.mailboxes.licensed |
            Grant-MailSendConsent -PassThru |
            Send-MailOAuthTest -To 'admin@contoso.com'
        $result.Status | Should -Be 'Accepted'
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'directory' -and $_.status -eq 404 }).Count | Should -BeGreaterThan 0
    }

    It 'waits for Exchange to honour a brand-new grant, and fails fast when the grant is not new' {
        Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds 0 -MailLagSeconds 4
        $app = New-MailOAuthApp -DisplayName (New-Name) -SenderAddress $info.mailboxes.licensed | Grant-MailSendConsent -PassThru
        # Without SecretCreatedOn nothing says the grant is new: Exchange's 403 is explained at once.
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        Send-MailOAuthTest -TenantId $app.TenantId -ClientId $app.ClientId -ClientSecret $app.ClientSecret -SenderAddress $app.SenderAddress `
            -To 'admin@contoso.com' -Environment Sandbox -ErrorAction SilentlyContinue -ErrorVariable e | Out-Null
        $sw.Elapsed.TotalSeconds | Should -BeLessThan 2
        $e[0].FullyQualifiedErrorId | Should -Be 'MailboxAccessDenied,MailOAuth.Commands.SendMailOAuthTestCommand'
        # Piped on, the app's SecretCreatedOn says it is new: the send rides the delay out.
        $r = $app | Send-MailOAuthTest -To 'admin@contoso.com'
        $r.Status | Should -Be 'Accepted'
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'graph' -and $_.status -eq 403 }).Count | Should -BeGreaterThan 1
    }

    It 'past -ReplicationTimeoutSec says what is pending and that re-running resumes' {
        Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds 60
        $name = New-Name
        New-MailOAuthApp -DisplayName $name -ReplicationTimeoutSec 5 -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'ReplicationTimeout,MailOAuth.Commands.NewMailOAuthAppCommand'
        $e[0].ErrorDetails.RecommendedAction | Should -Match 'again'
        (AppsNamed $name).Count | Should -Be 1
    }

    It 'returns the app with every identifier and the secret as a SecureString' {
        $app = New-MailOAuthApp -DisplayName (New-Name) -SecretLifetimeMonths 6
        $app | Should -BeOfType 'MailOAuth.Output.MailOAuthApp'
        $app.TenantId | Should -Be $info.tenantId
        $app.ClientId | Should -Match '^[0-9a-f-]{36}$'
        $app.ObjectId | Should -Not -Be $app.ClientId
        $app.ServicePrincipalId | Should -Not -BeNullOrEmpty
        $app.ClientSecret | Should -BeOfType [securestring]
        $app.SecretHint.Length | Should -Be 3
        [int]($app.SecretExpiresOn - [DateTimeOffset]::UtcNow).TotalDays | Should -BeIn (179..184)
        $app.Provisioning | Should -Be 'Created'
        $graphApp = Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Path "applications/$($app.ObjectId)"
        $graphApp.signInAudience | Should -Be 'AzureADMyOrg'
        $graphApp.tags | Should -Contain 'MailOAuth'
        @($graphApp.web.redirectUris).Count | Should -Be 0
        $graphRole = @($graphApp.requiredResourceAccess | Where-Object resourceAppId -EQ '00000003-0000-0000-c000-000000000000')[0].resourceAccess
        @($graphRole | Where-Object { $_.id -eq 'b633e1c5-b582-4048-a93e-9f11b44c7e96' -and $_.type -eq 'Role' }).Count | Should -Be 1
    }

    It 're-running reuses the app, adds a secret and deletes none' {
        $name = New-Name
        $first = New-MailOAuthApp -DisplayName $name
        $second = New-MailOAuthApp -DisplayName $name -WarningVariable w -WarningAction SilentlyContinue
        $second.ClientId | Should -Be $first.ClientId
        $second.Provisioning | Should -Be 'Reused'
        $second.SecretKeyId | Should -Not -Be $first.SecretKeyId
        ($w -join ' ') | Should -Match 'reusing'
        $dir = AppsNamed $name
        $dir.Count | Should -Be 1
        @($dir[0].passwordCredentials).Count | Should -Be 2
        @((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).servicePrincipals | Where-Object appId -EQ $first.ClientId).Count | Should -Be 1
    }

    It 'refuses to take over an app of the same name it did not create (AppNameConflict), adopts it with -Force' {
        $name = New-Name
        $manual = Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method POST -Path 'applications' -Body @{ displayName = $name }
        New-MailOAuthApp -DisplayName $name -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'AppNameConflict,MailOAuth.Commands.NewMailOAuthAppCommand'
        (AppsNamed $name).Count | Should -Be 1
        $adopted = New-MailOAuthApp -DisplayName $name -Force -WarningAction SilentlyContinue
        $adopted.ClientId | Should -Be $manual.appId
        $adopted.Provisioning | Should -Be 'Adopted'
        (AppsNamed $name).Count | Should -Be 1
    }

    It 'Grant-MailSendConsent is idempotent: a second grant writes nothing' {
        $app = New-MailOAuthApp -DisplayName (New-Name)
        $g1 = $app | Grant-MailSendConsent
        $g1.Status | Should -Be 'Granted'
        $g1.Verified | Should -BeTrue
        $g1.AlreadyGranted | Should -BeFalse
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $g2 = Grant-MailSendConsent -ClientId $app.ClientId
        $g2.AlreadyGranted | Should -BeTrue
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
        @((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).appRoleAssignments | Where-Object principalId -EQ $app.ServicePrincipalId).Count | Should -Be 1
    }

    It 'Grant-MailSendConsent refuses an app MailOAuth does not manage (AppNotManaged) and writes nothing' {
        $manual = Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method POST -Path 'applications' -Body @{ displayName = (New-Name) }
        Reset-MailOAuthSandbox -Sandbox $sandbox
        Grant-MailSendConsent -ClientId $manual.appId -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'AppNotManaged,MailOAuth.Commands.GrantMailSendConsentCommand'
        $e[0].ErrorDetails.RecommendedAction | Should -Match '-Force'
        $e[0].TargetObject.ClientId | Should -Be $manual.appId
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
        @((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).servicePrincipals | Where-Object appId -EQ $manual.appId).Count | Should -Be 0
    }

    It 'Grant-MailSendConsent -Force confirms an unmanaged app at High impact: asks by default, grants with -Confirm:$false' {
        $manual = Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method POST -Path 'applications' -Body @{ displayName = (New-Name) }
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $ConfirmPreference | Should -Be 'High'
        # With the default $ConfirmPreference the command asks; this host cannot answer, so nothing is written.
        { Grant-MailSendConsent -ClientId $manual.appId -Force -ErrorAction Stop } | Should -Throw -ExpectedMessage '*NonInteractive*Prompt*'
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
        Grant-MailSendConsent -ClientId $manual.appId -Force -WhatIf | Should -BeNullOrEmpty
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
        $g = Grant-MailSendConsent -ClientId $manual.appId -Force -Confirm:$false
        $g.Status | Should -Be 'Granted'
        $sp = @((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).servicePrincipals | Where-Object appId -EQ $manual.appId)
        @((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).appRoleAssignments | Where-Object principalId -EQ $sp[0].id).Count | Should -Be 1
        # An app MailOAuth manages is a Medium-impact change: no question with the default preference.
        $app = New-MailOAuthApp -DisplayName (New-Name)
        (Grant-MailSendConsent -ClientId $app.ClientId).Status | Should -Be 'Granted'
    }

    It 'Get-MailOAuthApp shows consent and secrets with days left, never values' {
        $app = New-MailOAuthApp -DisplayName (New-Name) | Grant-MailSendConsent -PassThru
        $got = Get-MailOAuthApp -ClientId $app.ClientId
        $got | Should -BeOfType 'MailOAuth.Output.MailOAuthAppInfo'
        $got.Consent | Should -Be 'Granted'
        $got.IsManaged | Should -BeTrue
        $got.Secrets.Count | Should -Be 1
        $got.Secrets[0].KeyId | Should -Be $app.SecretKeyId
        $got.DaysLeft | Should -BeIn (363..366)
        (Get-MailOAuthApp).ClientId | Should -Contain $app.ClientId
        ($got | Format-List * | Out-String) | Should -Not -Match 'secretText'
    }

    It 'Remove-MailOAuthApp deletes a managed app; refuses an unmanaged one without -Force' {
        $app = New-MailOAuthApp -DisplayName (New-Name)
        $app | Remove-MailOAuthApp -Confirm:$false
        (AppsNamed $app.DisplayName).Count | Should -Be 0
        $name = New-Name
        $manual = Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Method POST -Path 'applications' -Body @{ displayName = $name }
        Remove-MailOAuthApp -ClientId $manual.appId -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -Be 'AppNotManaged,MailOAuth.Commands.RemoveMailOAuthAppCommand'
        (AppsNamed $name).Count | Should -Be 1
    }

    It 'after Remove-MailOAuthApp (kept 30 days in deleted items), New with the same name makes a fresh app; -Permanent purges' {
        $name = New-Name
        $first = New-MailOAuthApp -DisplayName $name
        $first | Remove-MailOAuthApp -Confirm:$false
        @((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).deletedApplications | Where-Object appId -EQ $first.ClientId).Count | Should -Be 1
        $second = New-MailOAuthApp -DisplayName $name
        $second.Provisioning | Should -Be 'Created'
        $second.ClientId | Should -Not -Be $first.ClientId
        (AppsNamed $name).Count | Should -Be 1
        # A re-run finds the new app, not a third one.
        (New-MailOAuthApp -DisplayName $name -WarningAction SilentlyContinue).ClientId | Should -Be $second.ClientId
        $second | Remove-MailOAuthApp -Permanent -Confirm:$false
        @((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).deletedApplications | Where-Object appId -EQ $second.ClientId).Count | Should -Be 0
    }

    It '-WhatIf on every mutating cmdlet makes no write request' {
        $app = New-MailOAuthApp -DisplayName (New-Name)
        Reset-MailOAuthSandbox -Sandbox $sandbox
        New-MailOAuthApp -DisplayName (New-Name) -WhatIf | Should -BeNullOrEmpty
        $app | Grant-MailSendConsent -WhatIf | Should -BeNullOrEmpty
        $app | Remove-MailOAuthApp -WhatIf
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
        (AppsNamed $app.DisplayName).Count | Should -Be 1
    }

    It 'refuses a secret lifetime of <Months> months before anything is created' -ForEach @(@{ Months = 0 }, @{ Months = 25 }) {
        { New-MailOAuthApp -DisplayName (New-Name) -SecretLifetimeMonths $Months -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,MailOAuth.Commands.NewMailOAuthAppCommand'
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
    }

    It 'refuses a sender on an unverified domain before anything is created' {
        New-MailOAuthApp -DisplayName (New-Name) -SenderAddress "sender@$($info.unverifiedDomain)" -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'SenderMailboxNotFound,MailOAuth.Commands.NewMailOAuthAppCommand'
        $e[0].Exception.Message | Should -Match 'not verified'
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
    }

    It 'refuses a sender with no user, and a guest, before anything is created' {
        New-MailOAuthApp -DisplayName (New-Name) -SenderAddress 'nobody@contoso.com' -ErrorAction SilentlyContinue -ErrorVariable e1
        $e1[0].FullyQualifiedErrorId | Should -BeLike 'SenderMailboxNotFound,*'
        New-MailOAuthApp -DisplayName (New-Name) -SenderAddress $info.mailboxes.guest -ErrorAction SilentlyContinue -ErrorVariable e2
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'SenderMailboxNotLicensed,*'
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
    }

    It 'names the UPN when the sender given is a mailbox''s e-mail address that differs from it' {
        # Seeded (docs/sandbox.md): user jdoe@contoso.com whose mail is jane.doe@contoso.com.
        New-MailOAuthApp -DisplayName (New-Name) -SenderAddress 'jane.doe@contoso.com' -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'SenderMailboxNotFound,MailOAuth.Commands.NewMailOAuthAppCommand'
        $e[0].ErrorDetails.RecommendedAction | Should -Match 'jdoe@contoso\.com'
        @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox).Count | Should -Be 0
    }

    It 'warns about an unlicensed sender but proceeds' {
        $app = New-MailOAuthApp -DisplayName (New-Name) -SenderAddress $info.mailboxes.unlicensed -WarningVariable w -WarningAction SilentlyContinue
        $app.ClientId | Should -Not -BeNullOrEmpty
        ($w -join ' ') | Should -Match 'SenderMailboxNotLicensed'
    }

    It 'names the missing permission (InsufficientPrivileges) for an admin without rights' {
        Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.noRightsAdmin.clientId -ClientSecret (ConvertTo-TestSecret $info.noRightsAdmin.clientSecret) -Environment Sandbox | Out-Null
        New-MailOAuthApp -DisplayName (New-Name) -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -Be 'InsufficientPrivileges,MailOAuth.Commands.NewMailOAuthAppCommand'
        $e[0].Exception.Message | Should -Match 'Application\.Read'
        $e[0].ErrorDetails.RecommendedAction | Should -Match 'Application\.'
    }

    It 'a tenant secret-lifetime policy gives SecretLifetimeNotAllowed and says what was left; a shorter lifetime completes it' {
        [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/policies/secret-lifetime' -Body @{ maxDays = 90 })
        try {
            $name = New-Name
            New-MailOAuthApp -DisplayName $name -SecretLifetimeMonths 12 -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
            $e[0].FullyQualifiedErrorId | Should -Be 'SecretLifetimeNotAllowed,MailOAuth.Commands.NewMailOAuthAppCommand'
            $e[0].Exception.Message | Should -Match 'exists without a new secret'
            $app = New-MailOAuthApp -DisplayName $name -SecretLifetimeMonths 2 -WarningAction SilentlyContinue
            $app.ClientSecret | Should -Not -BeNullOrEmpty
            (AppsNamed $name).Count | Should -Be 1
        }
        finally { [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/policies/secret-lifetime') }
    }

    It 'an ambiguous failure (the create took effect, its answer was lost) never makes a second app' {
        $name = New-Name
        Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = '^/v1\.0/applications\(uniqueName='; method = 'PATCH'; status = 0; afterProcessing = $true; count = 1 } | Out-Null
        $app = New-MailOAuthApp -DisplayName $name
        $app.Provisioning | Should -Be 'Created'
        (AppsNamed $name).Count | Should -Be 1
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.method -eq 'PATCH' -and $_.path -like '/v1.0/applications(uniqueName=*' }).Count | Should -Be 2
    }

    It 'never repeats addPassword after an ambiguous failure (a second secret would be lost), removes the one whose value was lost, but retries a 503' {
        $name = New-Name
        Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = '/addPassword$'; status = 0; afterProcessing = $true; count = 1 } | Out-Null
        New-MailOAuthApp -DisplayName $name -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'NetworkFailure,*'
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object path -Like '*/addPassword').Count | Should -Be 1
        # It did take effect, once: the secret whose value was lost is named and removed (no orphan).
        $e[0].Exception.Message | Should -Match 'secret [0-9a-f-]{36} \(hint .{3}…\) was unusable \(its value never arrived\) and was removed'
        @((AppsNamed $name)[0].passwordCredentials).Count | Should -Be 0
        Reset-MailOAuthSandbox -Sandbox $sandbox
        Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = '/addPassword$'; status = 503; retryAfter = '0'; count = 1 } | Out-Null
        $app = New-MailOAuthApp -DisplayName $name -WarningAction SilentlyContinue
        $app.ClientSecret | Should -Not -BeNullOrEmpty
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object path -Like '*/addPassword').Count | Should -Be 2
    }

    It 'a run killed <Step> converges on re-run: one app, one service principal, one grant, no secret deleted' -ForEach @(
        @{ Step = 'after the app is created'; Pattern = '^/v1\.0/servicePrincipals\(appId=' }
        @{ Step = 'after the service principal is created'; Pattern = '/addPassword$' }
        @{ Step = 'after the secret is added'; Pattern = '/appRoleAssignedTo$' }
    ) {
        $name = New-Name
        Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = $Pattern; status = 500; count = 100 } | Out-Null
        $null = New-MailOAuthApp -DisplayName $name -SenderAddress $info.mailboxes.licensed -ErrorAction SilentlyContinue -WarningAction SilentlyContinue |
            Grant-MailSendConsent -PassThru -ErrorAction SilentlyContinue
        [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/faults')
        $secretsBefore = @((AppsNamed $name) | ForEach-Object { $_.passwordCredentials }).Count

        $result = New-MailOAuthApp -DisplayName $name -SenderAddress $info.mailboxes.licensed -WarningAction SilentlyContinue |
            Grant-MailSendConsent -PassThru | Send-MailOAuthTest -To 'admin@contoso.com'
        $result.Status | Should -Be 'Accepted'
        $dir = Get-MailOAuthSandboxDirectory -Sandbox $sandbox
        $apps = @($dir.applications | Where-Object displayName -EQ $name)
        $apps.Count | Should -Be 1
        @($dir.servicePrincipals | Where-Object appId -EQ $apps[0].appId).Count | Should -Be 1
        $sp = @($dir.servicePrincipals | Where-Object appId -EQ $apps[0].appId)[0]
        @($dir.appRoleAssignments | Where-Object principalId -EQ $sp.id).Count | Should -Be 1
        @($apps[0].passwordCredentials).Count | Should -Be ($secretsBefore + 1)
    }
}
