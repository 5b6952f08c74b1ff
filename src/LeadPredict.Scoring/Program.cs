using System.CommandLine;
using LeadPredict.CommandLine;
using LeadPredict.Scoring;

var root = new RootCommand("LeadPredict scoring: rank new leads with a trained model.")
{
    ScoreCommand.Create(),
};
return CommandRunner.Run(root, args);

public partial class Program;
