using System.Runtime.InteropServices;
using LeadPredict.ML.Training;
using Microsoft.ML;

namespace LeadPredict.ML.Tests.Training;

/// <summary>
/// LightGBM's OpenMP threads spin while they wait by default, which on a shared machine costs several times the fit
/// (docs/benchmarks.md): training asks for passive waiting in the native environment before LightGBM is loaded, and leaves a
/// user's own OMP_WAIT_POLICY alone.
/// </summary>
public sealed class LightGbmThreadsTests
{
    [SkippableFact]
    public void Should_Ask_OpenMP_To_Wait_Passively_Once_A_Tree_Pipeline_Is_Built_When_The_User_Set_No_Policy()
    {
        Skip.If(OperatingSystem.IsWindows(), "OpenMP's wait policy is set through libc's setenv (Linux and macOS)");
        var own = Environment.GetEnvironmentVariable(OpenMp.WaitPolicy);

        LeadPipeline.Build(new MLContext(seed: 1), new TrainerOptions { Algorithm = TrainerAlgorithm.LightGbm });

        Assert.Equal(own ?? "PASSIVE", Marshal.PtrToStringUTF8(GetEnv(OpenMp.WaitPolicy)));
    }

#pragma warning disable SYSLIB1054 // one call; LibraryImport would need unsafe code in the test project
    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
#pragma warning restore SYSLIB1054
}
