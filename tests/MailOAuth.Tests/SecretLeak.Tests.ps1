# Secrets never appear in any output stream, error, ToString() or transcript (docs/design.md#secrets).
Describe 'No secret leaks from any cmdlet path' -Tag 'Secrets' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        $script:info = $sandbox.Info
        $script:knownWrongSecret = 'Leak8Q~KnownSecretValue_1234567890abcdefXY'
        $script:realSecret = $info.apps.consented.clientSecret
        $script:scopedSecret = $info.apps.scoped.clientSecret

        $leak = Invoke-LeakCapture {
            Register-MailOAuthSandboxEnvironment -Sandbox $sandbox -Verbose -Debug
            Get-MailOAuthEnvironment -Verbose -Debug
            $ok = Get-SendParams -Sandbox $sandbox
            Send-MailOAuthTest @ok -Verbose -Debug
            Send-MailOAuthTest @ok -Verbose -Debug -WhatIf
            $bad = Get-SendParams -Sandbox $sandbox -Secret $knownWrongSecret
            Send-MailOAuthTest @bad -Verbose -Debug -ErrorAction Continue
            foreach ($app in 'unconsented', 'expiredSecret', 'conditionalAccessBlocked') {
                $p = Get-SendParams -Sandbox $sandbox -App $app
                Send-MailOAuthTest @p -Verbose -Debug -ErrorAction Continue
            }
            foreach ($sender in $info.mailboxes.unlicensed, $info.mailboxes.restricted, 'nobody@contoso.com') {
                Send-MailOAuthTest @ok -SenderAddress $sender -Verbose -Debug -ErrorAction Continue
            }
            Send-MailOAuthTest @ok -From $info.mailboxes.other -Verbose -Debug -ErrorAction Continue
            # Mailbox-scoped sends (Exchange RBAC for Applications): delivered, denied as expected, not yet applied, not enforced,
            # and -ExpectDenied with the known wrong secret.
            $scoped = Get-SendParams -Sandbox $sandbox -App scoped
            $scope = @{ SendScope = "Mailbox: $($info.mailboxes.licensed)"; ScopeAssignedOn = [DateTimeOffset]::UtcNow.AddDays(-30) }
            Send-MailOAuthTest @scoped @scope -Verbose -Debug
            Send-MailOAuthTest @scoped @scope -SenderAddress $info.mailboxes.other -ExpectDenied -Verbose -Debug
            $pending = Get-SendParams -Sandbox $sandbox -App unconsented
            Send-MailOAuthTest @pending -SendScope Mailbox -ScopeAssignedOn ([DateTimeOffset]::UtcNow.AddMinutes(-5)) -Verbose -Debug -ErrorAction Continue
            Send-MailOAuthTest @ok -SendScope "Mailbox: $($info.mailboxes.licensed)" -SenderAddress $info.mailboxes.other -ExpectDenied -Verbose -Debug -ErrorAction Continue
            Send-MailOAuthTest @ok -SenderAddress $info.mailboxes.other -ExpectDenied -Verbose -Debug -ErrorAction Continue
            Send-MailOAuthTest @bad -SendScope Mailbox -SenderAddress $info.mailboxes.other -ExpectDenied -Verbose -Debug -ErrorAction Continue
        }
        $script:captured = $leak.Captured; $script:transcriptText = $leak.TranscriptText; $script:allText = $leak.AllText
    }
    AfterAll {
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }

    It 'captured every stream (the test really exercised the cmdlets)' {
        @($captured | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 5
        @($captured | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -BeGreaterThan 5
        @($captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -Be 12
        @($captured | Where-Object { $_ -is [MailOAuth.Output.MailOAuthTestResult] }).Count | Should -Be 3
        @($captured | Where-Object { $_ -is [MailOAuth.Output.MailOAuthTestResult] -and $_.Outcome -eq 'DeniedAsExpected' }).Count | Should -Be 1
        $transcriptText | Should -Match 'InvalidClientSecret'
        $transcriptText | Should -Match 'MailboxScopeNotYetApplied'
        $transcriptText | Should -Match 'MailboxScopeNotEnforced'
        $transcriptText | Should -Match 'ExpectDeniedWithoutScope'
    }

    It 'the real secret value appears nowhere' {
        Assert-SecretNotInText $realSecret $allText $transcriptText
    }

    It 'the scoped app''s secret appears nowhere (scoped send, -ExpectDenied)' {
        $scopedSecret.Length | Should -BeGreaterThan 15
        Assert-SecretNotInText $scopedSecret $allText $transcriptText
    }

    It 'a wrong secret value appears nowhere' {
        Assert-SecretNotInText $knownWrongSecret $allText $transcriptText
    }

    It 'no bearer token appears anywhere' {
        Assert-NoTokenText $allText $transcriptText
    }
}

Describe 'No secret leaks from the provisioning cmdlets' -Tag 'Secrets' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        $script:info = $sandbox.Info
        $script:adminToken = Get-SandboxAdminToken $sandbox
        $script:federated = (Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/federated-token' -Body @{ subject = $info.admin.federatedSubject }).token
        $script:wrongAdminSecret = 'Leak8Q~WrongAdminSecretValue_0987654321zyxw'
        $script:wrongApiToken = 'rsp_LeakTestWrongPlatformToken_1234567890'

        $leak = Invoke-LeakCapture {
            Register-MailOAuthSandboxEnvironment -Sandbox $sandbox
            # A failed sign-in is a terminating error: catch it and keep its record with the rest.
            try { Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -ClientSecret (ConvertTo-TestSecret $wrongAdminSecret) -Environment Sandbox -Verbose -Debug } catch { $_ }
            Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -CertificatePath $info.admin.certificatePath -CertificatePassword (ConvertTo-TestSecret $info.admin.certificatePassword) -Environment Sandbox -Verbose -Debug
            Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -FederatedToken (ConvertTo-TestSecret $federated) -Environment Sandbox -Verbose -Debug
            Connect-MailOAuth -AccessToken (ConvertTo-TestSecret $adminToken) -Environment Sandbox -Verbose -Debug
            Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.admin.clientId -ClientSecret (ConvertTo-TestSecret $info.admin.clientSecret) -Environment Sandbox -Verbose -Debug
            $script:app = New-MailOAuthApp -DisplayName 'Leak test' -SenderAddress $info.mailboxes.licensed -Verbose -Debug
            $app
            $app | Format-List * -Force | Out-String
            $app | Grant-MailSendConsent -Verbose -Debug
            # The scoped path carries the piped secret onto its -PassThru object; undoing it proves the restored grant with it.
            # Staged first (the granted app is refused in one step), then the in-window removal with -Force.
            $app | Grant-MailSendConsent -Scope Mailbox -KeepTenantGrant -PassThru -Verbose -Debug -WarningAction Continue | Format-List * -Force | Out-String
            Get-MailOAuthApp -ClientId $app.ClientId -Verbose -Debug | Format-List * -Force | Out-String
            $app | Grant-MailSendConsent -Scope Mailbox -Verbose -Debug -ErrorAction Continue
            $app | Grant-MailSendConsent -Scope Mailbox -Force -Confirm:$false -PassThru -Verbose -Debug -WarningAction Continue | Format-List * -Force | Out-String
            Get-MailOAuthApp -ClientId $app.ClientId -Verbose -Debug | Format-List * -Force | Out-String
            $app | Grant-MailSendConsent -Scope Tenant -Verbose -Debug -WarningAction Continue
            $app | Send-MailOAuthTest -To 'admin@contoso.com' -Verbose -Debug
            Get-MailOAuthApp -ClientId $app.ClientId -Verbose -Debug | Format-List * -Force | Out-String
            $platform = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret $info.platform.apiToken) }
            $app | Set-ResellerSmtpSetting @platform -PassThru -Verbose -Debug | Send-ResellerTestEmail -To 'admin@contoso.com' -Verbose -Debug
            Get-ResellerSmtpSetting @platform -Verbose -Debug | Format-List * -Force | Out-String
            Get-ResellerSmtpSetting -PlatformUri $info.platform.uri -ApiToken (ConvertTo-TestSecret $wrongApiToken) -Verbose -Debug -ErrorAction Continue
            # An empty secret is refused by parameter validation (a terminating binding error): keep its record too.
            try { Set-ResellerSmtpSetting @platform -TenantId $info.tenantId -ClientId $app.ClientId -ClientSecret ([securestring]::new()) -SenderAddress $info.mailboxes.licensed -Verbose -Debug -ErrorAction Continue } catch { $_ }
            # The platform's own refusal of a field (PlatformRejectedSettings), injected as the platform sends it.
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'smtp-settings$'; method = 'PUT'; status = 422; count = 1
                body = '{"errors":[{"field":"clientSecret","message":"The client secret was rejected."}]}' } | Out-Null
            Set-ResellerSmtpSetting @platform -TenantId $info.tenantId -ClientId $app.ClientId -ClientSecret (ConvertTo-TestSecret $wrongAdminSecret) -SenderAddress $info.mailboxes.licensed -Verbose -Debug -ErrorAction Continue
            Set-ResellerSmtpSetting @platform -TenantId $info.tenantId -ClientId $app.ClientId -ClientSecret (ConvertTo-TestSecret $wrongAdminSecret) -SenderAddress $info.mailboxes.licensed -Verbose -Debug
            Send-ResellerTestEmail @platform -To 'admin@contoso.com' -Verbose -Debug -ErrorAction Continue
            # Test-MailOAuthConfiguration: every check, with the platform and a send, and with a wrong secret
            # and a wrong API token (their failures are check objects, rendered as a list and as the table).
            $check = @{ TenantId = $info.tenantId; ClientId = $app.ClientId; SenderAddress = $info.mailboxes.licensed; Environment = 'Sandbox' }
            $app | Set-ResellerSmtpSetting @platform -PassThru | Test-MailOAuthConfiguration -To 'admin@contoso.com' -Verbose -Debug | Format-List * -Force | Out-String
            Test-MailOAuthConfiguration @check -ClientSecret (ConvertTo-TestSecret $wrongAdminSecret) -PlatformUri $info.platform.uri `
                -ApiToken (ConvertTo-TestSecret $wrongApiToken) -To 'admin@contoso.com' -Verbose -Debug | Format-Table | Out-String -Width 120
            $app | Test-MailOAuthConfiguration -Quiet -Verbose -Debug
            New-MailOAuthApp -DisplayName 'Leak test' -Verbose -Debug -WarningAction Continue
            $app | Remove-MailOAuthApp -Confirm:$false -Verbose -Debug
        }
        $script:captured = $leak.Captured; $script:transcriptText = $leak.TranscriptText; $script:allText = $leak.AllText
        $script:newSecret = [System.Net.NetworkCredential]::new('', $app.ClientSecret).Password
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }

    It 'exercised every path (the capture is not empty)' {
        $newSecret.Length | Should -BeGreaterThan 15
        @($captured | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -BeGreaterThan 10
        $allText | Should -Match 'InvalidClientSecret'
        $allText | Should -Match 'PlatformAuthenticationFailed'
        $allText | Should -Match 'PlatformRejectedSettings'
        $transcriptText | Should -Match 'Accepted'
        $transcriptText | Should -Match 'Delivered'
        # Test-MailOAuthConfiguration ran: its passes, and its failures with the wrong secret and token.
        $allText | Should -Match 'PlatformTest'
        $allText | Should -Match 'Check\s+: Credential'
        $allText | Should -Match 'SendScope\s+: Mailbox: '
        @($captured | Where-Object { $_ -is [bool] }).Count | Should -Be 1
    }

    It '<Name> appears in no stream and not in the transcript' -ForEach @(
        @{ Name = 'the admin client secret'; Value = { $info.admin.clientSecret } }
        @{ Name = 'a wrong admin secret'; Value = { $wrongAdminSecret } }
        @{ Name = 'the certificate password'; Value = { $info.admin.certificatePassword } }
        @{ Name = 'the federated token'; Value = { $federated } }
        @{ Name = 'the admin access token'; Value = { $adminToken } }
        @{ Name = "the new app's secret"; Value = { $newSecret } }
        @{ Name = 'the platform API token'; Value = { $info.platform.apiToken } }
        @{ Name = 'a wrong platform API token'; Value = { $wrongApiToken } }
    ) {
        Assert-SecretNotInText (& $Value) $allText $transcriptText
    }

    It 'no bearer token appears anywhere' {
        Assert-NoTokenText $allText $transcriptText
    }
}

Describe 'No secret leaks from the secret lifecycle cmdlets' -Tag 'Secrets' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-TestSandbox
        $script:info = $sandbox.Info
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        $platform = Get-PlatformParams $sandbox
        $script:app = New-MailOAuthApp -DisplayName 'Leak rotation' -SenderAddress $info.mailboxes.licensed | Grant-MailSendConsent -PassThru
        $app | Set-ResellerSmtpSetting @platform | Out-Null
        $script:values = [Collections.Generic.List[string]]::new()
        $values.Add((ConvertFrom-SecureString $app.ClientSecret -AsPlainText))

        $leak = Invoke-LeakCapture {
            Get-MailOAuthSecret -All @platform -Verbose -Debug | Format-List * -Force | Out-String
            $r = Update-MailOAuthSecret -ClientId $app.ClientId @platform -To 'admin@contoso.com' -Verbose -Debug
            $values.Add((ConvertFrom-SecureString $r.ClientSecret -AsPlainText))
            $r
            $r | Format-List * -Force | Out-String
            Update-MailOAuthSecret -ClientId $app.ClientId @platform -WhatIf -Verbose -Debug
            # A rejected save and a failed platform test: their new secrets are never output; the errors must not hold them.
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'smtp-settings$'; method = 'PUT'; status = 422; count = 1
                body = '{"errors":[{"field":"clientSecret","message":"The client secret was rejected."}]}' } | Out-Null
            Update-MailOAuthSecret -ClientId $app.ClientId @platform -Verbose -Debug -ErrorAction Continue
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'smtp-settings/test$'; method = 'POST'; status = 200; count = 1
                body = '{"delivered":false,"error":{"code":"SMTP_FAILED","message":"The relay refused the message."}}' } | Out-Null
            Update-MailOAuthSecret -ClientId $app.ClientId @platform -Verbose -Debug -ErrorAction Continue
            # The failed test left the platform on that run's secret: removing it is refused.
            Get-MailOAuthSecret -ClientId $app.ClientId @platform | Where-Object InUseByPlatform |
                Remove-MailOAuthSecret @platform -Confirm:$false -Verbose -Debug -ErrorAction Continue
        }
        $script:captured = $leak.Captured; $script:transcriptText = $leak.TranscriptText; $script:allText = $leak.AllText
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }

    It 'exercised every path (a rotation, a rejected save, a failed test, a refused removal)' {
        @($captured | Where-Object { $_ -is [MailOAuth.Output.MailOAuthRotatedSecret] }).Count | Should -Be 1
        @($captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).FullyQualifiedErrorId |
            Should -Be @('PlatformRejectedSettings,MailOAuth.Commands.UpdateMailOAuthSecretCommand', 'PlatformTestFailed,MailOAuth.Commands.UpdateMailOAuthSecretCommand', 'SecretInUse,MailOAuth.Commands.RemoveMailOAuthSecretCommand')
        $values.Count | Should -Be 2
    }

    It 'no secret value, and no secret of the sandbox''s shape, appears anywhere' {
        foreach ($v in $values) {
            Assert-SecretNotInText $v $allText $transcriptText
        }
        # The secrets of the failed rotations were never output: no text of a secret's shape may appear at all.
        Assert-NoSecretShapedText $allText $transcriptText
        Assert-SecretNotInText $info.platform.apiToken $allText $transcriptText
    }
}

Describe 'No secret leaks from the Key Vault path' -Tag 'Secrets' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-TestSandbox
        $script:info = $sandbox.Info
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        $platform = Get-PlatformParams $sandbox
        $script:adminToken = Get-SandboxAdminToken $sandbox
        $script:values = [Collections.Generic.List[string]]::new()
        $script:outputs = [Collections.Generic.List[object]]::new()
        $vault = $info.keyVault.uri

        $leak = Invoke-LeakCapture {
            # -Debug makes a warning ask (Inquire) unless -WarningAction says otherwise: the vault failures warn.
            # Stored; then refused by the seeded denied vault; a rotation with the platform that stores, one the vault
            # refuses (deny switch) and one with a vault fault; an -AccessToken connection; -WhatIf.
            $app = New-MailOAuthApp -DisplayName 'Leak vault' -SenderAddress $info.mailboxes.licensed -KeyVaultUri $vault -Verbose -Debug -WarningAction Continue
            $outputs.Add($app)
            $app = $app | Grant-MailSendConsent -PassThru
            $app | Set-ResellerSmtpSetting @platform | Out-Null
            $denied = New-MailOAuthApp -DisplayName 'Leak vault denied' -KeyVaultUri $info.keyVault.deniedUri -Verbose -Debug -WarningAction Continue
            $outputs.Add($denied)
            $outputs.Add((Update-MailOAuthSecret -ClientId $app.ClientId @platform -KeyVaultUri $vault -KeyVaultSecretName 'Leak-vault' -Verbose -Debug -WarningAction Continue))
            Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/keyvault' -Body @{ denyWrites = $true } | Out-Null
            $outputs.Add((Update-MailOAuthSecret -ClientId $app.ClientId @platform -KeyVaultUri $vault -KeyVaultSecretName 'Leak-vault' -Verbose -Debug -WarningAction Continue))
            Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/keyvault' -Body @{ denyWrites = $false } | Out-Null
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = '^/secrets/'; method = 'PUT'; status = 400; count = 5
                body = '{"error":{"code":"BadParameter","message":"The secret was rejected."}}' } | Out-Null
            $outputs.Add((Update-MailOAuthSecret -ClientId $app.ClientId @platform -KeyVaultUri $vault -KeyVaultSecretName 'Leak-vault' -Verbose -Debug -WarningAction Continue))
            Update-MailOAuthSecret -ClientId $app.ClientId @platform -KeyVaultUri $vault -WhatIf -Verbose -Debug -WarningAction Continue
            Connect-MailOAuth -AccessToken (ConvertTo-TestSecret $adminToken) -Environment Sandbox -Verbose -Debug -WarningAction Continue | Out-Null
            $outputs.Add((New-MailOAuthApp -DisplayName 'Leak vault token' -KeyVaultUri $vault -Verbose -Debug -WarningAction Continue))
            foreach ($o in $outputs) { $o; $o | Format-List * -Force | Out-String; "$o" }
        }
        $script:captured = $leak.Captured; $script:transcriptText = $leak.TranscriptText; $script:allText = $leak.AllText
        foreach ($o in $outputs) { $values.Add((ConvertFrom-SecureString $o.ClientSecret -AsPlainText)) }
        $script:stored = @((Get-MailOAuthSandboxVaultSecret -Sandbox $sandbox -Name 'Leak-vault' -Versions).value)
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }

    It 'exercised every path (stored, denied by RBAC, denied by the switch, rejected, no credential)' {
        @($outputs | ForEach-Object { "$($_.KeyVaultStatus):$($_.KeyVaultError)" }) | Should -Be @(
            'Stored:', 'Failed:KeyVaultAccessDenied', 'Stored:', 'Failed:KeyVaultAccessDenied', 'Failed:KeyVaultRejected', 'Failed:KeyVaultCredentialUnavailable')
        @($captured | Where-Object { $_ -is [System.Management.Automation.WarningRecord] -and "$_" -like 'KeyVault*' }).Count | Should -Be 4
        @($captured | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -BeGreaterThan 10
        $stored.Count | Should -Be 2 # New-MailOAuthApp (default name Leak-vault) and the first rotation
        @($values | Select-Object -Unique).Count | Should -Be 6
    }

    It 'no secret value (stored in the vault or not) appears in any stream or the transcript' {
        foreach ($v in $values) {
            $v.Length | Should -BeGreaterThan 15
            Assert-SecretNotInText $v $allText $transcriptText
        }
        Assert-NoSecretShapedText $allText $transcriptText
    }

    It 'no token (Graph or Key Vault) appears anywhere' {
        Assert-NoTokenText $allText $transcriptText
        Assert-SecretNotInText $adminToken $allText $transcriptText
    }
}

Describe 'No secret leaks from the rotation runbook' -Tag 'Secrets' {
    # examples/runbooks/Rotate-MailOAuthSecret.ps1 as Automation runs it (Common.ps1's rehearsal), both token sources:
    # an Automation credential with the rotated secret stored in the vault; the token from Key Vault with a vault that
    # denies the write; a failing platform test (the job fails); a vault that refuses to let the identity read the token.
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-TestSandbox
        $script:info = $sandbox.Info
        $script:runbook = (Resolve-Path (Join-Path $PSScriptRoot '../../examples/runbooks/Rotate-MailOAuthSecret.ps1')).Path
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        $platform = Get-PlatformParams $sandbox
        $script:app = New-MailOAuthApp -DisplayName 'Leak runbook' -SenderAddress $info.mailboxes.licensed -SecretLifetimeMonths 1 | Grant-MailSendConsent -PassThru
        $app | Set-ResellerSmtpSetting @platform | Out-Null
        $script:values = [Collections.Generic.List[string]]::new()
        $values.Add((ConvertFrom-SecureString $app.ClientSecret -AsPlainText))
        Set-MailOAuthSandboxVaultSecret -Sandbox $sandbox -Name 'PlatformApiToken' -Value (ConvertTo-TestSecret $info.platform.apiToken) | Out-Null
        $script:rehearsal = Enable-RunbookRehearsal -Sandbox $sandbox
        # The user-assigned identity: MSAL caches managed identity tokens process-wide by identity and resource, and the
        # vault resource is the same at every sandbox start, so a vault token of the system-assigned identity cached by
        # another file's sandbox (Runbook.Tests.ps1) would be this sandbox's 401 (docs/sandbox.md#key-vault).
        $common = @{ TenantId = $info.tenantId; PlatformUri = $info.platform.uri; Environment = 'Sandbox'; ExpiringWithinDays = 400
            ManagedIdentityClientId = $info.managedIdentity.userAssignedClientId }
        $fromVault = @{ ApiTokenKeyVaultUri = $info.keyVault.uri; ApiTokenSecretName = 'PlatformApiToken' }
        $script:thrown = [Collections.Generic.List[object]]::new()

        $leak = Invoke-LeakCapture {
            & $runbook @common -ApiTokenCredentialName PlatformApi -KeyVaultUri $info.keyVault.uri -KeyVaultSecretName 'leak-{ClientId}' -Verbose
            Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/keyvault' -Body @{ denyWrites = $true } | Out-Null
            & $runbook @common @fromVault -KeyVaultUri $info.keyVault.uri -Verbose
            Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method POST -Path '/_sandbox/keyvault' -Body @{ denyWrites = $false } | Out-Null
            Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'smtp-settings/test$'; method = 'POST'; status = 200; count = 1
                body = '{"delivered":false,"error":{"code":"SMTP_FAILED","message":"The relay refused the message."}}' } | Out-Null
            try { & $runbook @common @fromVault -Verbose } catch { $thrown.Add($_); $_ }
            try { & $runbook @common -ApiTokenKeyVaultUri $info.keyVault.deniedUri -ApiTokenSecretName 'PlatformApiToken' -Verbose } catch { $thrown.Add($_); $_ }
        }
        $script:captured = $leak.Captured; $script:transcriptText = $leak.TranscriptText; $script:allText = $leak.AllText
        Disable-RunbookRehearsal $rehearsal
        # The value the vault holds (the first run's new secret): the only rotated value anyone can read back.
        $values.Add((Get-MailOAuthSandboxVaultSecret -Sandbox $sandbox -Name "leak-$($app.ClientId)").value)
        $script:summaries = @($captured | Where-Object { $_ -is [pscustomobject] -and $_.PSObject.Properties['Status'] })
    }
    AfterAll {
        Disable-RunbookRehearsal $rehearsal
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }

    It 'exercised every path (both token sources, a stored and a denied vault copy, a failed rotation, a refused token read)' {
        @($summaries | ForEach-Object { "$($_.Status):$($_.KeyVaultStatus):$($_.KeyVaultError)" }) | Should -Be @(
            'Rotated:Stored:', 'Rotated:Failed:KeyVaultAccessDenied', 'Failed::')
        $rehearsal.CredentialsAsked | Should -Be @('PlatformApi')
        @($rehearsal.RestCalls | Where-Object { $_ -match '/secrets/PlatformApiToken\?' }).Count | Should -Be 3
        $thrown.Count | Should -Be 2
        $thrown[0].Exception.Message | Should -Match '^1 of 1 rotation\(s\) failed'
        $thrown[1].Exception.Message | Should -Match 'Key Vault Secrets User'
        @($captured | Where-Object { $_ -is [System.Management.Automation.WarningRecord] -and "$_" -match 'KeyVaultAccessDenied' }).Count | Should -BeGreaterThan 0
        @($captured | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and "$_" -match 'API token from Key Vault' }).Count | Should -Be 2
        @($captured | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }).Count | Should -BeGreaterThan 10
        $values.Count | Should -Be 2
    }

    It 'neither the platform token nor any secret value appears in any stream or the transcript' {
        foreach ($v in @($values) + $info.platform.apiToken) {
            $v.Length | Should -BeGreaterThan 15
            Assert-SecretNotInText $v $allText $transcriptText
        }
        # The rotated secrets that no one can read back (the denied vault, the failed test): none of a secret's shape at all.
        Assert-NoSecretShapedText $allText $transcriptText
    }

    It 'no token (managed identity, Graph or Key Vault) appears anywhere' {
        Assert-NoTokenText $allText $transcriptText
    }
}
