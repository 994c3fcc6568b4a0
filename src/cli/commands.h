/* The gemmnet subcommands. Each returns the process exit status: 0 on
 * success, EXIT_USAGE for usage errors, 1 for other failures. */
#ifndef GEMMNET_CLI_COMMANDS_H
#define GEMMNET_CLI_COMMANDS_H

int cmd_moons(int argc, char **argv);
int cmd_train(int argc, char **argv);

#endif
