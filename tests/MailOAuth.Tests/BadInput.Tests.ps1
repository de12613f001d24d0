# The audit's classes of bad input: each is refused before any request is sent, with a stable
# ErrorId (never a raw .NET exception), and none reaches the sandbox's request log.
Describe 'Bad input is refused before any request, with a stable ErrorId' -Tag 'BadInput' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:good = @{
            TenantId      = $info.tenantId
            ClientId      = $info.apps.consented.clientId
            ClientSecret  = ConvertTo-TestSecret $info.apps.consented.clientSecret
            SenderAddress = $info.mailboxes.licensed
            To            = 'admin@contoso.com'
            Environment   = 'Sandbox'
        }
        $script:platform = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret $info.platform.apiToken) }
        $script:profileDir = Join-Path ([IO.Path]::GetTempPath()) ('mailoauth-badinput-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $profileDir | Out-Null
        function script:ProfileFile([string] $Name, [string] $Json) {
            $path = Join-Path $profileDir "$Name.json"
            Set-Content -Path $path -Value $Json
            $path
        }
        function script:Send([hashtable] $Change) {
            $p = $good.Clone(); foreach ($k in $Change.Keys) { $p[$k] = $Change[$k] }
            Send-MailOAuthTest @p -ErrorAction Stop
        }
        function script:SetPlatform([hashtable] $Change) {
            $p = @{ TenantId = $info.tenantId; ClientId = $info.apps.consented.clientId; ClientSecret = (ConvertTo-TestSecret $info.apps.consented.clientSecret); SenderAddress = $info.mailboxes.licensed } + $platform
            foreach ($k in $Change.Keys) { $p[$k] = $Change[$k] }
            Set-ResellerSmtpSetting @p -ErrorAction Stop
        }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
        if ($profileDir) { Remove-Item -Recurse -Force $profileDir -ErrorAction SilentlyContinue }
    }
    BeforeEach { Reset-MailOAuthSandbox -Sandbox $sandbox; [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/requests') }

    It '<Class>: <Name> is refused with <ErrorId>' -ForEach @(
        # blanks
        @{ Class = 'blank'; Name = 'empty tenant'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ TenantId = '' } } }
        @{ Class = 'blank'; Name = 'blank tenant'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ TenantId = '   ' } } }
        @{ Class = 'blank'; Name = 'empty client ID'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ ClientId = '' } } }
        @{ Class = 'blank'; Name = 'empty sender'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ SenderAddress = '' } } }
        @{ Class = 'blank'; Name = 'blank recipient'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ To = ' ' } } }
        @{ Class = 'blank'; Name = 'empty client secret'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ ClientSecret = [securestring]::new() } } }
        @{ Class = 'blank'; Name = 'empty API token'; ErrorId = 'ParameterArgumentValidationError'; Run = { SetPlatform @{ ApiToken = [securestring]::new() } } }
        @{ Class = 'blank'; Name = 'blank display name'; ErrorId = 'ParameterArgumentValidationError'; Run = { New-MailOAuthApp -DisplayName '   ' -ErrorAction Stop } }
        # control characters
        @{ Class = 'control'; Name = 'CR/LF inside a sender'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ SenderAddress = "sender@contoso.com`r`nBcc: evil@example.com" } } }
        @{ Class = 'control'; Name = 'NUL in a tenant'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ TenantId = "contoso`0.com" } } }
        @{ Class = 'control'; Name = 'LF in a display name'; ErrorId = 'ParameterArgumentValidationError'; Run = { New-MailOAuthApp -DisplayName "Email`nOAuth" -ErrorAction Stop } }
        @{ Class = 'control'; Name = 'NUL in a display name'; ErrorId = 'ParameterArgumentValidationError'; Run = { New-MailOAuthApp -DisplayName "Email`0OAuth" -ErrorAction Stop } }
        @{ Class = 'control'; Name = 'CR/LF in the API token (a header)'; ErrorId = 'ParameterArgumentValidationError'; Run = { SetPlatform @{ ApiToken = (ConvertTo-TestSecret "token`r`nX-Evil: 1") } } }
        # unicode and homoglyphs
        @{ Class = 'unicode'; Name = 'Cyrillic o in the sender domain'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ SenderAddress = "sender@c$([char]0x043E)ntoso.com" } } }
        @{ Class = 'unicode'; Name = 'Greek omicron in the tenant domain'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ TenantId = "c$([char]0x03BF)ntoso.com" } } }
        @{ Class = 'unicode'; Name = 'full-width at sign'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ SenderAddress = "sender$([char]0xFF20)contoso.com" } } }
        @{ Class = 'unicode'; Name = 'zero-width space in a recipient'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ To = "adm$([char]0x200B)in@contoso.com" } } }
        @{ Class = 'unicode'; Name = 'non-ASCII client ID digits'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ ClientId = ('1' * 7) + [char]0x0661 + '-2222-3333-4444-555555555555' } } }
        # very long strings
        @{ Class = 'long'; Name = 'a 300-character tenant domain'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ TenantId = ('a' * 290) + '.com' } } }
        @{ Class = 'long'; Name = 'a 400-character sender'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ SenderAddress = ('a' * 390) + '@contoso.com' } } }
        @{ Class = 'long'; Name = 'a 1000-character client ID'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ ClientId = 'a' * 1000 } } }
        @{ Class = 'long'; Name = 'a 300-character display name'; ErrorId = 'ParameterArgumentValidationError'; Run = { New-MailOAuthApp -DisplayName ('x' * 300) -ErrorAction Stop } }
        # OData quotes and path characters
        @{ Class = 'odata'; Name = 'a quote in the tenant'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ TenantId = "contoso.com' or '1'='1" } } }
        @{ Class = 'path'; Name = 'a path in the tenant'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ TenantId = 'contoso.com/../common' } } }
        @{ Class = 'path'; Name = 'a query in the tenant'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ TenantId = 'contoso.com?x=1' } } }
        @{ Class = 'path'; Name = 'a slash in the sender'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ SenderAddress = 'a/../admin@contoso.com' } } }
        @{ Class = 'path'; Name = 'a percent escape in the sender'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ SenderAddress = 'a%2Fb@contoso.com' } } }
        @{ Class = 'path'; Name = 'a hash in the sender'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ SenderAddress = 'a#b@contoso.com' } } }
        @{ Class = 'path'; Name = 'a backslash in the tenant'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ TenantId = 'contoso.com\x' } } }
        # GUID forms that are not GUIDs
        @{ Class = 'guid'; Name = 'the empty GUID as client ID'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ ClientId = [guid]::Empty.ToString() } } }
        @{ Class = 'guid'; Name = 'a 31-digit client ID'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ ClientId = 'a' * 31 } } }
        @{ Class = 'guid'; Name = 'an unbalanced brace GUID'; ErrorId = 'ParameterArgumentValidationError'; Run = { Send @{ ClientId = '{' + [guid]::NewGuid().ToString() } } }
        # URI forms
        @{ Class = 'uri'; Name = 'a platform over clear-text http'; ErrorId = 'ParameterArgumentValidationError'; Run = { SetPlatform @{ PlatformUri = 'http://portal.example.com' } } }
        @{ Class = 'uri'; Name = 'userinfo in the platform URI'; ErrorId = 'ParameterArgumentValidationError'; Run = { SetPlatform @{ PlatformUri = 'https://admin:hunter2@portal.example.com' } } }
        @{ Class = 'uri'; Name = 'a relative platform URI'; ErrorId = 'ParameterArgumentValidationError'; Run = { SetPlatform @{ PlatformUri = 'portal.example.com' } } }
        @{ Class = 'uri'; Name = 'an ftp platform URI'; ErrorId = 'ParameterArgumentValidationError'; Run = { SetPlatform @{ PlatformUri = 'ftp://portal.example.com' } } }
        @{ Class = 'uri'; Name = 'clear-text http to a link-local IPv6 host'; ErrorId = 'ParameterArgumentValidationError'; Run = { SetPlatform @{ PlatformUri = 'http://[fe80::1]:8080/' } } }
        @{ Class = 'uri'; Name = 'userinfo in an environment URI'; ErrorId = 'InvalidEnvironment'; Run = { Add-MailOAuthEnvironment -Name 'Evil' -AuthorityHost 'https://u:p@login.example.com' -GraphEndpoint 'https://graph.example.com' -ErrorAction Stop } }
        @{ Class = 'uri'; Name = 'an environment over clear-text http'; ErrorId = 'InvalidEnvironment'; Run = { Add-MailOAuthEnvironment -Name 'Evil' -AuthorityHost 'http://login.example.com' -GraphEndpoint 'https://graph.example.com' -ErrorAction Stop } }
        # hostile profiles
        @{ Class = 'profile'; Name = 'a profile whose read is a DELETE'; ErrorId = 'InvalidPlatformProfile'; Run = { Get-ResellerSmtpSetting @platform -PlatformProfile (ProfileFile 'delete' '{"getMethod":"DELETE"}') -ErrorAction Stop } }
        @{ Class = 'profile'; Name = 'a profile with a blank read method'; ErrorId = 'InvalidPlatformProfile'; Run = { Get-ResellerSmtpSetting @platform -PlatformProfile (ProfileFile 'blank' '{"getMethod":" "}') -ErrorAction Stop } }
        @{ Class = 'profile'; Name = 'a profile sending the token as Host'; ErrorId = 'InvalidPlatformProfile'; Run = { Get-ResellerSmtpSetting @platform -PlatformProfile (ProfileFile 'host' '{"authScheme":"Header","authHeader":"Host"}') -ErrorAction Stop } }
        @{ Class = 'profile'; Name = 'a profile with an empty auth header'; ErrorId = 'InvalidPlatformProfile'; Run = { Get-ResellerSmtpSetting @platform -PlatformProfile (ProfileFile 'empty' '{"authScheme":"Header","authHeader":""}') -ErrorAction Stop } }
        @{ Class = 'profile'; Name = 'a profile path to another host'; ErrorId = 'InvalidPlatformProfile'; Run = { Get-ResellerSmtpSetting @platform -PlatformProfile (ProfileFile 'host2' '{"settingsPath":"//evil.example.com/x"}') -ErrorAction Stop } }
        @{ Class = 'profile'; Name = 'a profile that is not JSON'; ErrorId = 'InvalidPlatformProfile'; Run = { Get-ResellerSmtpSetting @platform -PlatformProfile (ProfileFile 'notjson' 'settingsPath = /x') -ErrorAction Stop } }
        @{ Class = 'profile'; Name = 'a huge profile'; ErrorId = 'InvalidPlatformProfile'; Run = { Get-ResellerSmtpSetting @platform -PlatformProfile (ProfileFile 'huge' ('{"name":"' + ('x' * 200KB) + '"}')) -ErrorAction Stop } }
        # ranges and names
        @{ Class = 'range'; Name = 'a secret lifetime of 0 months'; ErrorId = 'ParameterArgumentValidationError'; Run = { New-MailOAuthApp -SecretLifetimeMonths 0 -ErrorAction Stop } }
        @{ Class = 'name'; Name = 'a wildcard-breaking environment name'; ErrorId = 'UnknownEnvironment'; Run = { Get-MailOAuthEnvironment -Name '[' -ErrorAction Stop } }
        @{ Class = 'name'; Name = 'an unknown environment'; ErrorId = 'UnknownEnvironment'; Run = { Send @{ Environment = 'Nowhere' } } }
    ) {
        $err = $null
        try { & $Run | Out-Null } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because "$Name must be refused"
        $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $err.FullyQualifiedErrorId | Should -Not -Match '^System\.'
        $err.Exception.Message | Should -Not -Match 'hunter2'
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox).Count | Should -Be 0 -Because 'nothing may be sent for bad input'
    }

    It 'what is validated is what is sent: <Name>' -ForEach @(
        @{ Name = 'a tenant with a trailing newline'; Change = @{ TenantId = "TENANT`n" } }
        @{ Name = 'a sender with surrounding spaces'; Change = @{ SenderAddress = '  SENDER  ' } }
        @{ Name = 'a client ID in braces'; Change = @{ ClientId = '{CLIENT}' } }
        @{ Name = 'a 32-digit client ID'; Change = @{ ClientId = 'CLIENTN' } }
    ) {
        $change = @{}
        foreach ($k in $Change.Keys) {
            $v = $Change[$k].Replace('TENANT', $info.tenantId).Replace('SENDER', $info.mailboxes.licensed)
            $v = $v.Replace('CLIENTN', ([guid]$info.apps.consented.clientId).ToString('N').ToUpperInvariant()).Replace('CLIENT', $info.apps.consented.clientId.ToUpperInvariant())
            $change[$k] = $v
        }
        $result = Send $change
        $result.TenantId | Should -BeExactly $info.tenantId
        $result.ClientId | Should -BeExactly $info.apps.consented.clientId
        $result.SenderAddress | Should -BeExactly $info.mailboxes.licensed
        $paths = @(Get-MailOAuthSandboxRequest -Sandbox $sandbox).path
        $paths | Where-Object { $_ -like '*sendMail*' } | Should -Be "/v1.0/users/$($info.mailboxes.licensed)/sendMail"
    }
}
