export * from './rubricator-csv';
export * from './rubricator.repository';
export * from './rubricator.service';
export * from './topic-catalogue.service';
export * from './rubricator.module';
