Describe 'The platform side: Set/Get-ResellerSmtpSetting, Send-ResellerTestEmail' -Tag 'Platform' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:platform = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret $info.platform.apiToken) }
        $script:profileJson = Join-Path $PSScriptRoot '../../examples/profiles/acme-panel.json'
        $script:profilePsd1 = Join-Path $PSScriptRoot '../../examples/profiles/acme-panel.psd1'
        function script:Settings([string] $App = 'consented', [string] $Sender, [string] $Secret) {
            $a = $info.apps.$App
            @{
                TenantId      = $info.tenantId
                ClientId      = $a.clientId
                ClientSecret  = ConvertTo-TestSecret ($(if ($Secret) { $Secret } else { $a.clientSecret }))
                SenderAddress = $(if ($Sender) { $Sender } else { $info.mailboxes.licensed })
            }
        }
        function script:PlatformRequests { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'platform') }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach { Reset-MailOAuthSandbox -Sandbox $sandbox }

    It 'stores the settings and shows them back with the secret hint only' {
        $s = Settings
        $stored = Set-ResellerSmtpSetting @platform @s
        $stored | Should -BeOfType 'MailOAuth.Output.ResellerSmtpSetting'
        $stored.ClientId | Should -Be $s.ClientId
        $stored.ClientSecretHint | Should -Be $info.apps.consented.clientSecret.Substring(0, 3)
        $got = Get-ResellerSmtpSetting @platform
        $got.TenantId | Should -Be $info.tenantId
        $got.SenderAddress | Should -Be $info.mailboxes.licensed
        $got.Provider | Should -Be 'MicrosoftGraphOAuth'
        ($got | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($info.apps.consented.clientSecret))
    }

    It "sends the platform's own test e-mail through the stored settings" {
        $s = Settings
        Set-ResellerSmtpSetting @platform @s | Out-Null
        $r = Send-ResellerTestEmail @platform -To 'admin@contoso.com'
        $r | Should -BeOfType 'MailOAuth.Output.ResellerTestResult'
        $r.Delivered | Should -BeTrue
        $outbox = @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox)
        $outbox.Count | Should -Be 1
        $outbox[0].clientId | Should -Be $s.ClientId
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'token').Count | Should -BeGreaterThan 0
    }

    It 'runs the whole procedure as one pipeline under replication lag' {
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds 8 -DirectoryLagSeconds 2 -MailLagSeconds 12
        try {
            $r = New-MailOAuthApp -DisplayName "Platform pipeline $([guid]::NewGuid().ToString('N').Substring(0,6))" -SenderAddress $info.mailboxes.licensed |
                Grant-MailSendConsent -PassThru |
                Set-ResellerSmtpSetting @platform -PassThru |
                Send-ResellerTestEmail -To 'admin@contoso.com'
        }
        finally { Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds 0 }
        $r.Delivered | Should -BeTrue
        # Exchange refused the new grant at first; the platform test was retried until it was honoured.
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'graph' -and $_.status -eq 403 }).Count | Should -BeGreaterThan 0
        $got = Get-ResellerSmtpSetting @platform
        (Get-MailOAuthApp -ClientId $got.ClientId).Consent | Should -Be 'Granted'
        @(Get-MailOAuthSandboxOutbox -Sandbox $sandbox).Count | Should -Be 1
    }

    It 'a platform test that fails because <Why> gives <Code>' -ForEach @(
        @{ Why = 'the stored secret is wrong'; Code = 'InvalidClientSecret'; App = 'consented'; Secret = 'Wrong8Q~stored-secret-is-not-the-value-123' }
        @{ Why = 'consent is missing'; Code = 'MailSendPermissionMissing'; App = 'unconsented' }
        @{ Why = 'the sender is unlicensed'; Code = 'SenderMailboxNotLicensed'; App = 'consented'; Sender = 'unlicensed' }
    ) {
        $s = Settings -App $App -Secret $Secret -Sender $(if ($Sender) { $info.mailboxes.$Sender })
        Set-ResellerSmtpSetting @platform @s | Out-Null
        Send-ResellerTestEmail @platform -To 'admin@contoso.com' -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be "$Code,MailOAuth.Commands.SendResellerTestEmailCommand"
        $e[0].Exception.Message | Should -Match 'The platform says:'
        $e[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }

    It 'a bad API token gives PlatformAuthenticationFailed; a read-only token cannot save' {
        Get-ResellerSmtpSetting -PlatformUri $info.platform.uri -ApiToken (ConvertTo-TestSecret 'not-a-token') -ErrorAction SilentlyContinue -ErrorVariable e1
        $e1[0].FullyQualifiedErrorId | Should -Be 'PlatformAuthenticationFailed,MailOAuth.Commands.GetResellerSmtpSettingCommand'
        $s = Settings
        Set-ResellerSmtpSetting -PlatformUri $info.platform.uri -ApiToken (ConvertTo-TestSecret $info.platform.readOnlyApiToken) @s -ErrorAction SilentlyContinue -ErrorVariable e2
        $e2[0].FullyQualifiedErrorId | Should -Be 'PlatformAuthenticationFailed,MailOAuth.Commands.SetResellerSmtpSettingCommand'
    }

    It 'a rejected field leaves the previous settings, says so, and says where the new secret still is' {
        $good = Settings
        Set-ResellerSmtpSetting @platform @good | Out-Null
        $before = Get-ResellerSmtpSetting @platform
        $bad = Settings -App 'unconsented'
        # The platform's own refusal of a field: an empty secret is now refused by parameter validation
        # before any request, so the platform's 422 answer is injected as it sends it.
        $refusal = '{"errors":[{"field":"clientSecret","message":"A client secret is required."}]}'
        Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault @{ pathPattern = 'smtp-settings$'; method = 'PUT'; status = 422; body = $refusal; count = 1 } | Out-Null
        Set-ResellerSmtpSetting @platform @bad -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -Be 'PlatformRejectedSettings,MailOAuth.Commands.SetResellerSmtpSettingCommand'
        $e[0].Exception.Message | Should -Match '-ClientSecret'
        $e[0].Exception.Message | Should -Match 'kept its previous settings'
        # Contract change (typed pipeline): the target holds identifiers only; the message says where the secret still is.
        $e[0].TargetObject | Should -BeOfType 'MailOAuth.Output.MailOAuthTarget'
        $e[0].TargetObject.ClientId | Should -Be $bad.ClientId
        $e[0].TargetObject.PSObject.Properties.Name | Should -Not -Contain 'ClientSecret'
        $e[0].Exception.Message | Should -Match 'New-MailOAuthApp'
        $after = Get-ResellerSmtpSetting @platform
        $after.ClientId | Should -Be $before.ClientId
        $after.UpdatedAt | Should -Be $before.UpdatedAt
    }

    It 'refuses http:// to a non-loopback host before any request' {
        $s = Settings
        { Set-ResellerSmtpSetting -PlatformUri 'http://portal.example.com' -ApiToken $platform.ApiToken @s -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,MailOAuth.Commands.SetResellerSmtpSettingCommand'
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox).Count | Should -Be 0
    }

    It '-WhatIf stores nothing' {
        $s = Settings
        Set-ResellerSmtpSetting @platform @s -WhatIf | Should -BeNullOrEmpty
        Send-ResellerTestEmail @platform -To 'admin@contoso.com' -WhatIf | Should -BeNullOrEmpty
        (PlatformRequests).Count | Should -Be 0
    }

    It 'drives a platform with other paths, field names and auth through a <Kind> profile alone' -ForEach @(@{ Kind = 'JSON'; File = 'json' }, @{ Kind = 'psd1'; File = 'psd1' }) {
        $profilePath = if ($File -eq 'json') { $profileJson } else { $profilePsd1 }
        $s = Settings
        $stored = Set-ResellerSmtpSetting @platform @s -PlatformProfile $profilePath
        $stored.ClientId | Should -Be $s.ClientId
        (Get-ResellerSmtpSetting @platform -PlatformProfile $profilePath).SenderAddress | Should -Be $info.mailboxes.licensed
        (Send-ResellerTestEmail @platform -PlatformProfile $profilePath -To 'admin@contoso.com').Delivered | Should -BeTrue
        $paths = (PlatformRequests).path
        $paths | Should -Contain '/rest/mail/oauth-config'
        $paths | Should -Contain '/rest/mail/send-test'
        $paths | Should -Not -Contain '/api/v1/reseller/smtp-settings'
        # The default API sees the same stored settings.
        (Get-ResellerSmtpSetting @platform).ClientId | Should -Be $s.ClientId
    }

    It 'explains a failed test through a profile with no error code field from the AADSTS number in its message' {
        $s = Settings -Secret 'Wrong8Q~profile-test-secret-is-wrong-456'
        Set-ResellerSmtpSetting @platform @s -PlatformProfile $profileJson | Out-Null
        Send-ResellerTestEmail @platform -PlatformProfile $profileJson -To 'admin@contoso.com' -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -Be 'InvalidClientSecret,MailOAuth.Commands.SendResellerTestEmailCommand'
    }

    It 'refuses an invalid profile file with InvalidPlatformProfile' {
        $bad = Join-Path ([IO.Path]::GetTempPath()) "bad-profile-$([guid]::NewGuid()).json"
        Set-Content -Path $bad -Value '{ "authScheme": "Basic" }'
        try {
            { Get-ResellerSmtpSetting @platform -PlatformProfile $bad -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPlatformProfile,MailOAuth.Commands.GetResellerSmtpSettingCommand'
        }
        finally { Remove-Item $bad }
    }
}
