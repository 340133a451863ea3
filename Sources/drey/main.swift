import DreyCLI

await DreyCommand.start()
