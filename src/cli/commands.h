/* The gemmnet subcommands. Each returns the process exit status: 0 on
 * success, EXIT_USAGE for usage errors, 1 for other failures. */
#ifndef GEMMNET_CLI_COMMANDS_H
#define GEMMNET_CLI_COMMANDS_H

/* moons, spiral, blobs, circles, xor: argv[0] names the generator. */
int cmd_generate(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_predict(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
/* plot, sweep, plot-hidden, plot-loss: with cairo (-Dplot), else each
 * exits 1 saying so. */
int cmd_plot(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_plot_hidden(int argc, char **argv);
int cmd_plot_loss(int argc, char **argv);
/* animate: with giflib and cairo (-Danimate), else it exits 1 saying so. */
int cmd_animate(int argc, char **argv);

#endif
