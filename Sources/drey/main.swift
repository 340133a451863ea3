import DreyCLI
import Glibc

// libvips, when it starts (at the first upload), writes VIPSHOME into the environment unless it is there already;
// a write to the environment while another thread reads it (Foundation does, for instance to start a process) can
// crash. Set here, before any other thread exists; an operator's own value is kept.
setenv("VIPSHOME", "/usr", 0)

await DreyCommand.start()
