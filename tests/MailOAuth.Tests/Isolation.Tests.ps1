# MailOAuth keeps its dependencies private on PowerShell 7 (docs/design.md#type-boundary): with another module's older Azure.Core and MSAL already loaded, it still works, on its own copies.
Describe 'Dependency isolation' -Tag 'Isolation' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
        $script:preload = @(
            Join-Path $packages 'azure.core/1.38.0/lib/netstandard2.0/Azure.Core.dll'
            Join-Path $packages 'microsoft.identity.client/4.61.3/lib/netstandard2.0/Microsoft.Identity.Client.dll'
        )
        # A fresh process: the pwsh this suite runs in (the dotnet tool's pwsh.dll, or an installed pwsh).
        $pwshDll = Join-Path $PSHOME 'pwsh.dll'
        $script:exe = if (Test-Path $pwshDll) { 'dotnet' } else { (Get-Process -Id $PID).Path }
        $script:prefix = @(if (Test-Path $pwshDll) { $pwshDll })
    }

    It 'the older copies to preload were restored by the build (build/tools.proj)' {
        foreach ($p in $preload) { Test-Path $p | Should -BeTrue -Because $p }
    }

    It 'works with an older Azure.Core and MSAL loaded first, on its own copies in its own load context' {
        $json = & $exe @prefix -NoProfile -NonInteractive -File (Join-Path $PSScriptRoot 'Isolation.Child.ps1') `
            -ModulePath $env:MAILOAUTH_MODULE_PATH -SandboxPath $env:MAILOAUTH_SANDBOX_PATH -Preload ($preload -join ",") 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($json | Out-String)
        $r = ($json | Select-Object -Last 1) | ConvertFrom-Json
        $r.Status | Should -Be 'Accepted'
        $msal = @($r.Loaded | Where-Object Name -EQ 'Microsoft.Identity.Client')
        $msal.Count | Should -Be 2                                   # the other module's and ours, side by side
        ($msal | Where-Object Version -Like '4.61.*').Context | Should -Be 'DefaultAssemblyLoadContext'
        ($msal | Where-Object Version -NotLike '4.61.*').Context | Should -Be 'DependencyLoadContext'
        ($r.Loaded | Where-Object Name -EQ 'MailOAuth.Core').Context | Should -Be 'DependencyLoadContext'
        @($r.Loaded | Where-Object Name -EQ 'Azure.Core').Count | Should -Be 2
    }
}
