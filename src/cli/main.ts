process.stdout.write('nodelet\n');
