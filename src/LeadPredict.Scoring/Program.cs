using System.CommandLine;
using LeadPredict.CommandLine;
using LeadPredict.Scoring;
using LeadPredict.Scoring.Host;

var root = new RootCommand("LeadPredict scoring: rank new leads with a trained model, serve it over HTTP, and monitor it.")
{
    ScoreCommand.Create(),
    ServeCommand.Create(),
    OutcomesCommand.Create(),
    MonitorCommand.Create(),
};
return CommandRunner.Run(root, args);

public partial class Program;
