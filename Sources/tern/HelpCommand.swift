extension Command {
    static let help = Command(
        name: "help",
        summary: "Show the commands, or the help of one command",
        usage: """
            usage: tern help [COMMAND]

            Without COMMAND, lists the commands; with it, shows its help.
            """,
        run: { arguments throws(CommandLineError) in
            switch arguments.count {
            case 0:
                print(CommandLineTool.overview)
            case 1:
                guard let command = CommandLineTool.command(named: arguments[0]) else {
                    throw .usage("unknown command '\(arguments[0])'")
                }
                print(command.usage)
            default:
                throw .usage("help takes at most one command name")
            }
            return ExitStatus.success
        }
    )
}
