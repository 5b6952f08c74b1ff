using System.CommandLine;
using LeadPredict.CommandLine;
using LeadPredict.Training;

var root = new RootCommand("LeadPredict training: learn which leads convert from your CRM's lead history.")
{
    TrainCommand.Create(),
    InitCommand.Create(),
    GenerateCommand.Create(),
    ReportCommand.Create(),
};
return CommandRunner.Run(root, args);

public partial class Program;
